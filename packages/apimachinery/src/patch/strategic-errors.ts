// The errors of strategic merge patch, with Kubernetes' words (k8s.io/apimachinery
// pkg/util/mergepatch and pkg/util/strategicpatch) and the HTTP code the apiserver gives each:
//   400 BadRequest for malformed directives, 422 Invalid for lists of lists, and 500 (reason
//   Unknown) for everything Kubernetes does not classify, such as a missing merge key.

import { goString, goTypeName, goValue } from './go-format';
import type { JsonObject, JsonValue } from './json-value';
import { PatchError } from './patch-error';

export function badPrimitiveListFormat(): PatchError {
  return PatchError.badRequest('invalid patch format of primitive list');
}

export function badRetainKeysFormat(): PatchError {
  return PatchError.badRequest('invalid patch format of retainKeys');
}

export function badSetElementOrderFormat(): PatchError {
  return PatchError.badRequest('invalid patch format of setElementOrder list');
}

export function invalidDocument(): PatchError {
  return PatchError.badRequest('invalid JSON document');
}

export function listOfLists(): PatchError {
  return PatchError.invalid('lists of lists are not supported');
}

/** An item of a merging list lacks the list's merge key. */
export function noMergeKey(item: JsonObject, mergeKey: string): PatchError {
  return PatchError.unclassified(`map: ${goValue(item)} does not contain declared merge key: ${mergeKey}`);
}

/** A value is not of the kind the patch needs there ("map" or "list"). */
export function wrongKind(expected: 'map' | 'list', actual: JsonValue | undefined): PatchError {
  const wanted = expected === 'map' ? 'map[string]interface {}' : '[]interface {}';
  return PatchError.unclassified(`expected a ${wanted}, but received a ${goTypeName(actual)}`);
}

/** A `$patch` value other than the ones allowed where it stands. */
export function unknownPatchType(directive: JsonValue | undefined, where: JsonObject): PatchError {
  return PatchError.unclassified(`unknown patch type: ${goString(directive)} in map: ${goValue(where)}`);
}

export function listMergeDirective(): PatchError {
  return PatchError.unclassified('merging lists cannot yet be specified in the patch');
}

/** An item of the live list is not an object although the list merges by key. */
export function notAMap(index: number): PatchError {
  return PatchError.unclassified(`value for key ${index} is not a map.`);
}

export function mixedListItems(lists: readonly JsonValue[][]): PatchError {
  return PatchError.unclassified(`list element types are not identical: ${goValue(lists as JsonValue[])}`);
}

export function noMergeKeyForObjects(): PatchError {
  // Every list Kubernetes merges as a set holds strings.
  return PatchError.unclassified('cannot merge lists without merge key for type string');
}

export function orderMismatch(patchList: JsonValue[], order: JsonValue[]): PatchError {
  return PatchError.unclassified(
    `the order in patch list:\n${goValue(patchList)}\n doesn't match $setElementOrder list:\n${goValue(order)}`,
  );
}
