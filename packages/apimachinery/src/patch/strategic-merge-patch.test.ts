import { describe, expect, it } from 'vitest';
import type { JsonObject, JsonValue } from './json-value';
import { INVALID_REQUEST_MESSAGE, PatchError, UNSUPPORTED_PATCH_TYPE_MESSAGE } from './patch-error';
import { strategicMergePatch, strategicMergePatchSupported } from './strategic-merge-patch';

const web: JsonObject = { name: 'web', image: 'nginx:1.26', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] };
const log: JsonObject = { name: 'log', image: 'busybox' };
const metadata: JsonObject = { name: 'p', labels: { app: 'web' }, finalizers: ['a', 'b'] };
const spec: JsonObject = {
  containers: [web, log],
  tolerations: [{ key: 'x', operator: 'Exists' }],
  securityContext: { runAsUser: 1000, fsGroup: 2000 },
};
const pod: JsonObject = { metadata, spec };

/** The pod with `spec` fields changed. */
const withSpec = (changes: JsonObject): JsonObject => ({ metadata, spec: { ...spec, ...changes } });
/** The pod with `metadata` fields changed. */
const withMeta = (changes: JsonObject): JsonObject => ({ metadata: { ...metadata, ...changes }, spec });

function thrown(run: () => unknown): PatchError {
  try {
    run();
  } catch (error) {
    if (error instanceof PatchError) return error;
    throw error;
  }
  throw new Error('expected a PatchError');
}

describe('strategicMergePatch merges like Kubernetes', () => {
  it.each<[string, JsonValue, JsonValue]>([
    ['maps merge key by key', { metadata: { labels: { tier: 'front' } } }, withMeta({ labels: { app: 'web', tier: 'front' } })],
    ['null deletes a key', { metadata: { labels: { app: null } } }, withMeta({ labels: {} })],
    ['null for an absent key changes nothing', { spec: { nodeName: null } }, pod],
    ['a new field is added', { spec: { restartPolicy: 'Never' } }, withSpec({ restartPolicy: 'Never' })],
    ['a value of another kind replaces the old one', { spec: { securityContext: 'none' } }, withSpec({ securityContext: 'none' })],
    [
      'containers merge by name, keeping their places',
      { spec: { containers: [{ name: 'log', image: 'busybox:1.36' }] } },
      withSpec({ containers: [web, { name: 'log', image: 'busybox:1.36' }] }),
    ],
    [
      'a new container goes first when the patch gives no order',
      { spec: { containers: [{ name: 'sidecar', image: 'envoy' }] } },
      withSpec({ containers: [{ name: 'sidecar', image: 'envoy' }, web, log] }),
    ],
    [
      'env merges by name inside a merged container',
      { spec: { containers: [{ name: 'web', env: [{ name: 'B', value: 'two' }] }] } },
      withSpec({ containers: [{ ...web, env: [{ name: 'A', value: '1' }, { name: 'B', value: 'two' }] }, log] }),
    ],
    ['$patch: delete in a list item deletes the item with that key', { spec: { containers: [{ name: 'log', $patch: 'delete' }] } }, withSpec({ containers: [web] })],
    [
      '$patch: replace in a list makes the patch list the whole list',
      { spec: { containers: [{ name: 'only', image: 'x', extra: null }, { $patch: 'replace' }] } },
      withSpec({ containers: [{ name: 'only', image: 'x' }] }),
    ],
    [
      '$patch: replace in a map replaces the map',
      { spec: { securityContext: { $patch: 'replace', runAsNonRoot: true } } },
      withSpec({ securityContext: { runAsNonRoot: true } }),
    ],
    ['$patch: delete in a map empties it', { spec: { securityContext: { $patch: 'delete' } } }, withSpec({ securityContext: {} })],
    ['$patch: delete of an absent map adds nothing', { spec: { affinity: { $patch: 'delete' } } }, pod],
    ['$patch: replace at the top replaces the object', { $patch: 'replace', metadata: { name: 'q' } }, { metadata: { name: 'q' } }],
    [
      '$retainKeys clears the keys it does not list',
      { spec: { securityContext: { $retainKeys: ['runAsUser'], runAsUser: 1 } } },
      withSpec({ securityContext: { runAsUser: 1 } }),
    ],
    [
      '$setElementOrder alone reorders a list',
      { spec: { '$setElementOrder/containers': [{ name: 'log' }, { name: 'web' }] } },
      withSpec({ containers: [log, web] }),
    ],
    [
      '$setElementOrder places a new item where it says',
      { spec: { '$setElementOrder/containers': [{ name: 'web' }, { name: 'new' }, { name: 'log' }], containers: [{ name: 'new' }] } },
      withSpec({ containers: [web, { name: 'new' }, log] }),
    ],
    [
      '$setElementOrder with a list the live object lacks',
      { spec: { '$setElementOrder/volumes': [{ name: 'v' }], volumes: [{ name: 'v', emptyDir: {} }] } },
      withSpec({ volumes: [{ name: 'v', emptyDir: {} }] }),
    ],
    ['$setElementOrder orders plain values', { metadata: { '$setElementOrder/finalizers': ['b', 'a'] } }, withMeta({ finalizers: ['b', 'a'] })],
    ['finalizers merge as a set, new values first', { metadata: { finalizers: ['c', 'a'] } }, withMeta({ finalizers: ['c', 'a', 'b'] })],
    [
      'finalizers follow $setElementOrder when kubectl sends it',
      { metadata: { '$setElementOrder/finalizers': ['a', 'b', 'c'], finalizers: ['c'] } },
      withMeta({ finalizers: ['a', 'b', 'c'] }),
    ],
    ['$deleteFromPrimitiveList removes plain values', { metadata: { '$deleteFromPrimitiveList/finalizers': ['a', 'zz'] } }, withMeta({ finalizers: ['b'] })],
    ['$deleteFromPrimitiveList of an absent list adds nothing', { spec: { '$deleteFromPrimitiveList/args': ['x'] } }, pod],
    ['a list without a merge strategy is replaced whole', { spec: { tolerations: [{ key: 'y' }] } }, withSpec({ tolerations: [{ key: 'y' }] })],
    [
      'a new value loses its nulls',
      { spec: { affinity: { nodeAffinity: null, podAffinity: { x: [{ a: null, b: 1 }] } } } },
      withSpec({ affinity: { podAffinity: { x: [{ b: 1 }] } } }),
    ],
    [
      'a new value loses the items that carry $patch and the directive keys',
      { spec: { dnsConfig: { options: [{ name: 'a', $patch: 'delete' }], '$setElementOrder/options': [], nameservers: ['1.1.1.1'] } } },
      withSpec({ dnsConfig: { options: [], nameservers: ['1.1.1.1'] } }),
    ],
    ['a null patch changes nothing', null, pod],
    ['an empty patch changes nothing', {}, pod],
  ])('%s', (_name, patch, expected) => {
    expect(strategicMergePatch(pod, patch, 'Pod')).toEqual(expected);
  });

  it('never changes its inputs', () => {
    const original = JSON.parse(JSON.stringify(pod)) as JsonObject;
    const patch = { spec: { containers: [{ name: 'web', image: 'x', env: [{ name: 'A', $patch: 'delete' }] }] } };
    const before = JSON.parse(JSON.stringify(patch)) as JsonObject;
    strategicMergePatch(original, patch, 'Pod');
    expect(original).toEqual(pod);
    expect(patch).toEqual(before);
  });

  it('merges lists that are not in the table only as Kubernetes merges maps: not at all', () => {
    const result = strategicMergePatch({ spec: { custom: [{ name: 'a' }] } }, { spec: { custom: [{ name: 'b' }] } }, 'Pod');
    expect(result).toEqual({ spec: { custom: [{ name: 'b' }] } });
  });

  it('refuses object items in a list merged as a set', () => {
    const error = thrown(() => strategicMergePatch({ metadata: { finalizers: [] } }, { metadata: { finalizers: [{ a: 1 }] } }, 'Pod'));
    expect([error.code, error.message]).toEqual([500, 'cannot merge lists without merge key for type string']);
  });
});

describe('strategicMergePatch fails with Kubernetes words and codes', () => {
  it.each<[string, unknown, number, string]>([
    ['a list item without its merge key', { spec: { containers: [{ image: 'nginx' }] } }, 500, 'map: map[image:nginx] does not contain declared merge key: name'],
    ['$patch: delete without the merge key', { spec: { containers: [{ $patch: 'delete' }] } }, 500, 'map: map[$patch:delete] does not contain declared merge key: name'],
    ['$patch: merge in a map', { spec: { securityContext: { $patch: 'merge', runAsUser: 1 } } }, 500, 'unknown patch type: merge in map: map[$patch:merge runAsUser:1]'],
    ['$patch: merge in a list', { spec: { containers: [{ name: 'web', $patch: 'merge' }] } }, 500, 'merging lists cannot yet be specified in the patch'],
    ['an unknown $patch in a list', { spec: { containers: [{ name: 'web', $patch: 'bogus' }] } }, 500, 'unknown patch type: bogus in map: map[$patch:bogus name:web]'],
    ['a number as $patch', { spec: { securityContext: { $patch: 3 } } }, 500, 'unknown patch type: %!s(int64=3) in map: map[$patch:3]'],
    [
      'a list and an object in one list',
      { spec: { containers: [[1]] } },
      500,
      'list element types are not identical: ' +
        '[[map[env:[map[name:A value:1] map[name:B value:2]] image:nginx:1.26 name:web] map[image:busybox name:log]] [[1]]]',
    ],
    ['a list of mixed items', { metadata: { finalizers: ['c', 1] } }, 500, 'list element types are not identical: [[a b] [c 1]]'],
    ['$retainKeys that is not a list', { spec: { securityContext: { $retainKeys: 'x' } } }, 400, 'invalid patch format of retainKeys'],
    ['$retainKeys that misses a patched key', { spec: { securityContext: { $retainKeys: ['fsGroup'], runAsUser: 1 } } }, 400, 'invalid patch format of retainKeys'],
    ['a $setElementOrder key without "/"', { spec: { $setElementOrderX: [] } }, 400, 'invalid patch format of setElementOrder list'],
    ['a $setElementOrder that is not a list', { spec: { '$setElementOrder/containers': 'x' } }, 500, 'expected a []interface {}, but received a string'],
    [
      'a $setElementOrder that does not name the patched items',
      { spec: { '$setElementOrder/containers': [{ name: 'web' }], containers: [{ name: 'log', image: 'x' }] } },
      500,
      "the order in patch list:\n[map[image:x name:log]]\n doesn't match $setElementOrder list:\n[map[name:web]]",
    ],
    [
      'a $setElementOrder item without the merge key',
      { spec: { '$setElementOrder/containers': [{ image: 'x' }] } },
      500,
      'map: map[image:x] does not contain declared merge key: name',
    ],
    ['a $deleteFromPrimitiveList key without "/"', { metadata: { $deleteFromPrimitiveListfinalizers: ['a'] } }, 400, 'invalid patch format of primitive list'],
    ['a body that is a list', [], 400, 'json: cannot unmarshal array into Go value of type map[string]interface {}'],
    ['a body that is a string', 'x', 400, 'json: cannot unmarshal string into Go value of type map[string]interface {}'],
  ])('%s', (_name, patch, code, message) => {
    const error = thrown(() => strategicMergePatch(pod, patch, 'Pod'));
    expect({ code: error.code, reason: error.reason, message: error.message }).toEqual({
      code,
      reason: code === 400 ? 'BadRequest' : '',
      message,
    });
  });

  it('answers 422 for a list of lists', () => {
    const error = thrown(() => strategicMergePatch({ spec: { containers: [] } }, { spec: { containers: [[1]] } }, 'Pod'));
    expect({ code: error.code, reason: error.reason, message: error.message, detail: error.detail }).toEqual({
      code: 422,
      reason: 'Invalid',
      message: INVALID_REQUEST_MESSAGE,
      detail: 'lists of lists are not supported',
    });
  });

  it('answers 415 for a kind without a strategy (a custom resource)', () => {
    expect(strategicMergePatchSupported('Widget')).toBe(false);
    expect(strategicMergePatchSupported('Deployment')).toBe(true);
    const error = thrown(() => strategicMergePatch({ spec: {} }, { spec: { a: 1 } }, 'Widget'));
    expect({ code: error.code, reason: error.reason, message: error.message }).toEqual({
      code: 415,
      reason: 'UnsupportedMediaType',
      message: UNSUPPORTED_PATCH_TYPE_MESSAGE,
    });
  });

  it('refuses a live object that is not a JSON object', () => {
    const error = thrown(() => strategicMergePatch([1], {}, 'Pod'));
    expect([error.code, error.message]).toEqual([400, 'invalid JSON document']);
  });

  it('reports a live list item that is not an object', () => {
    const error = thrown(() =>
      strategicMergePatch({ spec: { containers: [{ name: 'a' }, 'oops'] } }, { spec: { containers: [{ name: 'b' }] } }, 'Pod'),
    );
    expect([error.code, error.message]).toEqual([500, 'list element types are not identical: [[map[name:a] oops] [map[name:b]]]']);
  });
});
