import { describe, expect, it } from 'vitest';
import { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS } from './json-patch';
import type { JsonValue } from './json-value';
import { INVALID_REQUEST_MESSAGE, PatchError } from './patch-error';

const pod = {
  metadata: { name: 'web', labels: { app: 'web' }, resourceVersion: '7' },
  spec: { containers: [{ name: 'web', image: 'nginx:1.26' }], tolerations: [{ key: 'a' }, { key: 'b' }] },
};

function thrown(run: () => unknown): PatchError {
  try {
    run();
  } catch (error) {
    if (error instanceof PatchError) return error;
    throw error;
  }
  throw new Error('expected a PatchError');
}

describe('applyJsonPatch applies each operation', () => {
  it.each<[string, JsonValue, unknown, JsonValue]>([
    ['add sets a new member', { a: 1 }, [{ op: 'add', path: '/b', value: 2 }], { a: 1, b: 2 }],
    ['add overwrites an existing member', { a: 1 }, [{ op: 'add', path: '/a', value: [1] }], { a: [1] }],
    ['add inserts into a list', { l: [1, 3] }, [{ op: 'add', path: '/l/1', value: 2 }], { l: [1, 2, 3] }],
    ['add at "-" appends', { l: [1] }, [{ op: 'add', path: '/l/-', value: 2 }], { l: [1, 2] }],
    ['add at the list length appends', { l: [1] }, [{ op: 'add', path: '/l/1', value: 2 }], { l: [1, 2] }],
    ['add at -1 inserts at the end (negative index)', { l: [1, 2] }, [{ op: 'add', path: '/l/-1', value: 9 }], { l: [1, 2, 9] }],
    ['add without a value stores null', { a: 1 }, [{ op: 'add', path: '/b' }], { a: 1, b: null }],
    ['add decodes ~1 and ~0', { m: {} }, [{ op: 'add', path: '/m/a~1b~0c', value: 1 }], { m: { 'a/b~c': 1 } }],
    ['add under an empty key', { '': { x: 1 } }, [{ op: 'add', path: '//y', value: 2 }], { '': { x: 1, y: 2 } }],
    ['remove deletes a member', { a: 1, b: 2 }, [{ op: 'remove', path: '/a' }], { b: 2 }],
    ['remove deletes a list item', { l: [1, 2, 3] }, [{ op: 'remove', path: '/l/1' }], { l: [1, 3] }],
    ['remove -1 deletes the last item', { l: [1, 2, 3] }, [{ op: 'remove', path: '/l/-1' }], { l: [1, 2] }],
    ['replace changes a member', { a: 1 }, [{ op: 'replace', path: '/a', value: 'x' }], { a: 'x' }],
    ['replace changes a list item', { l: [1, 2] }, [{ op: 'replace', path: '/l/0', value: 0 }], { l: [0, 2] }],
    ['replace of an absent member adds it (as Kubernetes does)', { a: 1 }, [{ op: 'replace', path: '/b', value: 2 }], { a: 1, b: 2 }],
    ['replace "" swaps the whole document', { a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }], { b: 2 }],
    ['move renames a member', { a: 1 }, [{ op: 'move', from: '/a', path: '/b' }], { b: 1 }],
    ['move reorders a list', { l: ['x', 'y', 'z'] }, [{ op: 'move', from: '/l/0', path: '/l/2' }], { l: ['y', 'z', 'x'] }],
    ['move into another object', { a: { k: 1 }, b: {} }, [{ op: 'move', from: '/a/k', path: '/b/k' }], { a: {}, b: { k: 1 } }],
    ['copy duplicates a value', { a: { k: [1] } }, [{ op: 'copy', from: '/a', path: '/b' }], { a: { k: [1] }, b: { k: [1] } }],
    [
      'copy makes an independent copy',
      { a: { k: [1] } },
      [
        { op: 'copy', from: '/a', path: '/b' },
        { op: 'add', path: '/b/k/-', value: 2 },
      ],
      { a: { k: [1] }, b: { k: [1, 2] } },
    ],
    ['copy from an absent member stores null', { a: {} }, [{ op: 'copy', from: '/a/x', path: '/b' }], { a: {}, b: null }],
    ['test of an equal value passes', { a: { b: [1, 'x'] } }, [{ op: 'test', path: '/a', value: { b: [1, 'x'] } }], { a: { b: [1, 'x'] } }],
    ['test of an absent member against null passes', { a: 1 }, [{ op: 'test', path: '/b', value: null }], { a: 1 }],
    ['test "" compares the whole document', { a: 1 }, [{ op: 'test', path: '', value: { a: 1 } }], { a: 1 }],
    ['a null patch changes nothing', { a: 1 }, null, { a: 1 }],
    ['an empty patch changes nothing', { a: 1 }, [], { a: 1 }],
  ])('%s', (_name, document, patch, expected) => {
    expect(applyJsonPatch(document, patch)).toEqual(expected);
  });

  it('runs the precondition-then-change pattern kubectl users write', () => {
    const result = applyJsonPatch(pod, [
      { op: 'test', path: '/metadata/resourceVersion', value: '7' },
      { op: 'replace', path: '/spec/containers/0/image', value: 'nginx:1.27' },
      { op: 'remove', path: '/spec/tolerations/0' },
      { op: 'add', path: '/metadata/labels/tier', value: 'front' },
    ]);
    expect(result).toEqual({
      metadata: { name: 'web', labels: { app: 'web', tier: 'front' }, resourceVersion: '7' },
      spec: { containers: [{ name: 'web', image: 'nginx:1.27' }], tolerations: [{ key: 'b' }] },
    });
  });

  it('never changes its inputs, even when an operation fails half way', () => {
    const document = JSON.parse(JSON.stringify(pod)) as JsonValue;
    const patch = [
      { op: 'replace', path: '/metadata/name', value: 'other' },
      { op: 'remove', path: '/metadata/nope' },
    ];
    expect(() => applyJsonPatch(document, patch)).toThrow(PatchError);
    expect(document).toEqual(pod);
    expect(patch).toEqual([
      { op: 'replace', path: '/metadata/name', value: 'other' },
      { op: 'remove', path: '/metadata/nope' },
    ]);
  });

  it('treats "__proto__" as an ordinary member', () => {
    const patch = JSON.parse('[{"op":"add","path":"/__proto__","value":{"polluted":true}}]') as unknown;
    const result = applyJsonPatch({}, patch) as Record<string, unknown>;
    expect(Object.keys(result)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('applyJsonPatch fails like the Kubernetes apiserver', () => {
  it.each<[string, JsonValue, unknown, number, string]>([
    ['a body that is an object', {}, { op: 'add' }, 400, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch'],
    ['a body that is a string', {}, 'x', 400, 'json: cannot unmarshal string into Go value of type jsonpatch.Patch'],
    ['an operation that is a number', {}, [1], 400, 'json: cannot unmarshal number into Go value of type jsonpatch.Operation'],
    ['an operation that is a list', {}, [[]], 400, 'json: cannot unmarshal array into Go value of type jsonpatch.Operation'],
    ['an unknown op', {}, [{ op: 'frobnicate', path: '/a' }], 422, 'Unexpected kind: frobnicate'],
    ['a missing op', {}, [{ path: '/a' }], 422, 'Unexpected kind: unknown'],
    ['a null operation', {}, [null], 422, 'Unexpected kind: unknown'],
    ['add without a path', {}, [{ op: 'add', value: 1 }], 422, 'add operation failed to decode path: missing value'],
    [
      'replace with a numeric path',
      {},
      [{ op: 'replace', path: 3, value: 1 }],
      422,
      'replace operation failed to decode path: json: cannot unmarshal number into Go value of type string',
    ],
    [
      'move without a from',
      { a: 1 },
      [{ op: 'move', path: '/b' }],
      422,
      'move operation failed to decode from: operation, missing from field: missing value',
    ],
    ['add under a missing parent', {}, [{ op: 'add', path: '/spec/x/y', value: 1 }], 422, 'add operation does not apply: doc is missing path: "/spec/x/y": missing value'],
    ['add to the whole document', {}, [{ op: 'add', path: '', value: {} }], 422, 'add operation does not apply: doc is missing path: "": missing value'],
    ['add with a path not starting with /', {}, [{ op: 'add', path: 'a/b', value: 1 }], 422, 'add operation does not apply: doc is missing path: "a/b": missing value'],
    ['add under a string', { a: 'text' }, [{ op: 'add', path: '/a/b', value: 1 }], 422, 'add operation does not apply: doc is missing path: "/a/b": missing value'],
    ['add under a null', { a: null }, [{ op: 'add', path: '/a/b', value: 1 }], 422, 'add operation does not apply: doc is missing path: "/a/b": missing value'],
    [
      'add at a non-number index',
      { l: [] },
      [{ op: 'add', path: '/l/x', value: 1 }],
      422,
      `error in add for path: '/l/x': value was not a proper array index: 'x': strconv.Atoi: parsing "x": invalid syntax`,
    ],
    [
      'add past the end of a list',
      { l: [1] },
      [{ op: 'add', path: '/l/3', value: 1 }],
      422,
      "error in add for path: '/l/3': Unable to access invalid index: 3: invalid index referenced",
    ],
    [
      'remove of an absent member',
      pod,
      [{ op: 'remove', path: '/metadata/labels/x' }],
      422,
      "error in remove for path: '/metadata/labels/x': Unable to remove nonexistent key: x: missing value",
    ],
    [
      'remove past the end of a list',
      { l: [1] },
      [{ op: 'remove', path: '/l/5' }],
      422,
      "error in remove for path: '/l/5': Unable to access invalid index: 5: invalid index referenced",
    ],
    ['remove under a missing parent', {}, [{ op: 'remove', path: '/a/b' }], 422, 'remove operation does not apply: doc is missing path: "/a/b": missing value'],
    ['replace under a missing parent', {}, [{ op: 'replace', path: '/a/b/c', value: 1 }], 422, 'replace operation does not apply: doc is missing path: /a/b/c: missing value'],
    ['replace past the end of a list', { l: [] }, [{ op: 'replace', path: '/l/9', value: 1 }], 422, 'replace operation does not apply: doc is missing key: /l/9: missing value'],
    ['replace of "-"', { l: [1] }, [{ op: 'replace', path: '/l/-', value: 1 }], 422, 'replace operation does not apply: doc is missing key: /l/-: missing value'],
    ['replace "" with a string', {}, [{ op: 'replace', path: '', value: 'x' }], 422, 'replace operation value must be object or array: %!w(<nil>)'],
    ['move of an absent member', {}, [{ op: 'move', from: '/x', path: '/y' }], 422, "error in move for path: 'x': Unable to remove nonexistent key: x: missing value"],
    ['move into a missing parent', { a: 1 }, [{ op: 'move', from: '/a', path: '/b/c' }], 422, 'move operation does not apply: doc is missing destination path: /b/c: missing value'],
    ['move into itself', { a: { b: 1 } }, [{ op: 'move', from: '/a', path: '/a/b' }], 422, 'move operation does not apply: doc is missing destination path: /a/b: missing value'],
    ['copy from a missing parent', {}, [{ op: 'copy', from: '/nope/x', path: '/y' }], 422, 'copy operation does not apply: doc is missing from path: /nope/x: missing value'],
    [
      'copy from past the end of a list',
      { l: [] },
      [{ op: 'copy', from: '/l/0', path: '/y' }],
      422,
      "error in copy for from: '/l/0': Unable to access invalid index: 0: invalid index referenced",
    ],
    ['copy into a missing parent', { a: 1 }, [{ op: 'copy', from: '/a', path: '/b/c' }], 422, 'copy operation does not apply: doc is missing destination path: /b/c: missing value'],
    ['a failing test', pod, [{ op: 'test', path: '/metadata/resourceVersion', value: '6' }], 422, 'testing value /metadata/resourceVersion failed: test failed'],
    ['a test of an absent member against a value', {}, [{ op: 'test', path: '/a', value: 1 }], 422, 'testing value /a failed: test failed'],
    ['a test under a missing parent', {}, [{ op: 'test', path: '/a/b', value: 1 }], 422, 'test operation does not apply: is missing path: /a/b: missing value'],
  ])('%s', (_name, document, patch, code, detail) => {
    const error = thrown(() => applyJsonPatch(document, patch));
    expect({ code: error.code, detail: error.detail }).toEqual({ code, detail });
    if (code === 422) expect({ reason: error.reason, message: error.message }).toEqual({ reason: 'Invalid', message: INVALID_REQUEST_MESSAGE });
    if (code === 400) expect({ reason: error.reason, message: error.message }).toEqual({ reason: 'BadRequest', message: detail });
  });

  it('refuses more than 10000 operations with 413', () => {
    const patch = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: 'test', path: '/a', value: 1 }));
    const error = thrown(() => applyJsonPatch({ a: 1 }, patch));
    expect({ code: error.code, reason: error.reason, message: error.message }).toEqual({
      code: 413,
      reason: 'RequestEntityTooLarge',
      message: 'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001',
    });
  });

  it('accepts exactly 10000 operations', () => {
    const patch = Array.from({ length: MAX_JSON_PATCH_OPERATIONS }, () => ({ op: 'test', path: '/a', value: 1 }));
    expect(applyJsonPatch({ a: 1 }, patch)).toEqual({ a: 1 });
  });
});
