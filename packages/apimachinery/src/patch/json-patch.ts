// JSON Patch (RFC 6902: add, remove, replace, move, copy, test) as the Kubernetes apiserver applies
// it for `application/json-patch+json`, i.e. with the rules and messages of the evanphx/json-patch
// v4 library it uses:
//   - a body that is not a list of operations is a 400 BadRequest;
//   - more than 10000 operations is a 413 RequestEntityTooLarge;
//   - an operation that does not apply is a 422 Invalid whose detail is the library's message,
//     e.g. `add operation does not apply: doc is missing path: "/spec/x/y": missing value`.
// Quirks kept because kubectl users meet them on a real cluster:
//   - "replace" of an absent object key adds it (RFC 6902 says it should fail);
//   - "add"/"replace" without a "value" member store null; "copy" from an absent key copies null;
//   - "test" of an absent key against null succeeds.
// Deviations: a pointer must start with "/" (see json-pointer.ts), and "test" compares values,
// not their JSON spelling (1 equals 1.0 here; the library compares the bytes of numbers).

import { addValue, ERR_MISSING, findHolder, getValue, PointerFailure, removeValue, setValue } from './json-pointer';
import { copyJson, getKey, hasKey, isObject, jsonEqual, jsonTypeWord, type JsonObject, type JsonValue } from './json-value';
import { PatchError } from './patch-error';

/** One operation of a JSON Patch. */
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: JsonValue;
}

/** Kubernetes refuses JSON Patches with more operations than this. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

/**
 * Applies a JSON Patch to a copy of `document` and returns the copy; the inputs are not changed.
 * `patch` is the decoded request body (normally a JsonPatchOperation[]); any shape is accepted
 * and anything wrong with it is reported as a PatchError, never as another exception.
 */
export function applyJsonPatch(document: unknown, patch: unknown): JsonValue {
  const operations = decodeOperations(patch);
  let doc = copyJson(document, 'document');
  for (const operation of operations) {
    doc = applyOperation(doc, operation);
  }
  return doc;
}

function decodeOperations(patch: unknown): JsonObject[] {
  if (patch === null || patch === undefined) return [];
  if (!Array.isArray(patch)) {
    throw PatchError.badRequest(`json: cannot unmarshal ${jsonTypeWord(patch)} into Go value of type jsonpatch.Patch`);
  }
  const operations = patch.map((item: unknown) => {
    if (item === null || item === undefined) return {};
    if (!isObject(item)) {
      throw PatchError.badRequest(`json: cannot unmarshal ${jsonTypeWord(item)} into Go value of type jsonpatch.Operation`);
    }
    return copyJson(item, 'patch') as JsonObject;
  });
  if (operations.length > MAX_JSON_PATCH_OPERATIONS) {
    throw PatchError.tooLarge(
      `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${operations.length}`,
    );
  }
  return operations;
}

/** Applies one operation, returning the (possibly new) root. Failures are 422 Invalid. */
function applyOperation(doc: JsonValue, operation: JsonObject): JsonValue {
  const op = getKey(operation, 'op');
  const kind = typeof op === 'string' ? op : 'unknown';
  switch (kind) {
    case 'add':
      addOperation(doc, operation);
      return doc;
    case 'remove':
      removeOperation(doc, operation);
      return doc;
    case 'replace':
      return replaceOperation(doc, operation);
    case 'move':
      moveOperation(doc, operation);
      return doc;
    case 'copy':
      copyOperation(doc, operation);
      return doc;
    case 'test':
      testOperation(doc, operation);
      return doc;
    default:
      throw fail(`Unexpected kind: ${kind}`);
  }
}

function addOperation(doc: JsonValue, operation: JsonObject): void {
  const path = stringMember(operation, 'path', () => `add operation failed to decode path: ${ERR_MISSING}`);
  const target = findHolder(doc, path);
  if (!target) throw fail(`add operation does not apply: doc is missing path: "${path}": ${ERR_MISSING}`);
  const outcome = addValue(target.holder, target.key, valueOf(operation));
  if (outcome instanceof PointerFailure) throw fail(`error in add for path: '${path}': ${outcome.message}`);
}

function removeOperation(doc: JsonValue, operation: JsonObject): void {
  const path = stringMember(operation, 'path', () => `remove operation failed to decode path: ${ERR_MISSING}`);
  const target = findHolder(doc, path);
  if (!target) throw fail(`remove operation does not apply: doc is missing path: "${path}": ${ERR_MISSING}`);
  const outcome = removeValue(target.holder, target.key);
  if (outcome instanceof PointerFailure) throw fail(`error in remove for path: '${path}': ${outcome.message}`);
}

function replaceOperation(doc: JsonValue, operation: JsonObject): JsonValue {
  const path = stringMember(operation, 'path', (why) => `replace operation failed to decode path: ${why}`);
  const value = valueOf(operation);
  if (path === '') {
    // Replacing the whole document: the library only accepts an object or a list here.
    if (value === null || typeof value !== 'object') {
      throw fail('replace operation value must be object or array: %!w(<nil>)');
    }
    return value;
  }
  const target = findHolder(doc, path);
  if (!target) throw fail(`replace operation does not apply: doc is missing path: ${path}: ${ERR_MISSING}`);
  if (getValue(target.holder, target.key) instanceof PointerFailure) {
    throw fail(`replace operation does not apply: doc is missing key: ${path}: ${ERR_MISSING}`);
  }
  setValue(target.holder, target.key, value);
  return doc;
}

function moveOperation(doc: JsonValue, operation: JsonObject): void {
  const from = stringMember(operation, 'from', (why) => `move operation failed to decode from: ${why}`);
  const source = findHolder(doc, from);
  if (!source) throw fail(`move operation does not apply: doc is missing from path: ${from}: ${ERR_MISSING}`);
  const value = getValue(source.holder, source.key);
  if (value instanceof PointerFailure) throw fail(`error in move for path: '${source.key}': ${value.message}`);
  const removed = removeValue(source.holder, source.key);
  if (removed instanceof PointerFailure) throw fail(`error in move for path: '${source.key}': ${removed.message}`);
  const path = stringMember(operation, 'path', (why) => `move operation failed to decode path: ${why}`);
  const target = findHolder(doc, path);
  if (!target) throw fail(`move operation does not apply: doc is missing destination path: ${path}: ${ERR_MISSING}`);
  const added = addValue(target.holder, target.key, value ?? null);
  if (added instanceof PointerFailure) throw fail(`error in move for path: '${path}': ${added.message}`);
}

function copyOperation(doc: JsonValue, operation: JsonObject): void {
  const from = stringMember(operation, 'from', (why) => `copy operation failed to decode from: ${why}`);
  const source = findHolder(doc, from);
  if (!source) throw fail(`copy operation does not apply: doc is missing from path: ${from}: ${ERR_MISSING}`);
  const value = getValue(source.holder, source.key);
  if (value instanceof PointerFailure) throw fail(`error in copy for from: '${from}': ${value.message}`);
  const path = stringMember(operation, 'path', () => `copy operation failed to decode path: ${ERR_MISSING}`);
  const target = findHolder(doc, path);
  if (!target) throw fail(`copy operation does not apply: doc is missing destination path: ${path}: ${ERR_MISSING}`);
  const added = addValue(target.holder, target.key, copyJson(value ?? null));
  if (added instanceof PointerFailure) throw fail(`error while adding value during copy: ${added.message}`);
}

function testOperation(doc: JsonValue, operation: JsonObject): void {
  const path = stringMember(operation, 'path', (why) => `test operation failed to decode path: ${why}`);
  const expected = valueOf(operation);
  let actual: JsonValue | undefined;
  if (path === '') {
    actual = doc;
  } else {
    const target = findHolder(doc, path);
    if (!target) throw fail(`test operation does not apply: is missing path: ${path}: ${ERR_MISSING}`);
    const found = getValue(target.holder, target.key);
    if (found instanceof PointerFailure) throw fail(`error in test for path: '${path}': ${found.message}`);
    actual = found;
  }
  // An absent value and null are the same thing to the library.
  if (!jsonEqual(actual ?? null, expected)) throw fail(`testing value ${path} failed: test failed`);
}

/** The "value" member; a missing one reads as null, as in the library. */
function valueOf(operation: JsonObject): JsonValue {
  return getKey(operation, 'value') ?? null;
}

/**
 * A string member ("path" or "from"). When it is missing (or null) or not a string, throws the
 * message `describe` builds from the reason the library would give.
 */
function stringMember(operation: JsonObject, name: 'path' | 'from', describe: (why: string) => string): string {
  const value = getKey(operation, name);
  if (typeof value === 'string') return value;
  const why =
    value === undefined || value === null || !hasKey(operation, name)
      ? name === 'path'
        ? `operation missing path field: ${ERR_MISSING}`
        : `operation, missing from field: ${ERR_MISSING}`
      : `json: cannot unmarshal ${jsonTypeWord(value)} into Go value of type string`;
  throw fail(describe(why));
}

function fail(detail: string): PatchError {
  return PatchError.invalid(detail);
}
