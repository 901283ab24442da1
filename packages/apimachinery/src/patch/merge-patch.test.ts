import { describe, expect, it } from 'vitest';
import type { JsonValue } from './json-value';
import { applyMergePatch } from './merge-patch';
import { PatchError } from './patch-error';

describe('applyMergePatch follows RFC 7386', () => {
  // The examples of RFC 7386 appendix A, less the two Kubernetes refuses (see below).
  it.each<[JsonValue, JsonValue, JsonValue]>([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('%j + %j = %j', (document, patch, expected) => {
    expect(applyMergePatch(document, patch)).toEqual(expected);
  });
});

describe('applyMergePatch as kubectl uses it', () => {
  const deployment = {
    metadata: { name: 'web', labels: { app: 'web', tier: 'front' }, annotations: { note: 'x' } },
    spec: {
      replicas: 1,
      template: { spec: { containers: [{ name: 'web', image: 'nginx:1.26' }, { name: 'log', image: 'busybox' }] } },
    },
  };

  it.each<[string, JsonValue, JsonValue]>([
    [
      'kubectl label adds and changes labels, keeping the others',
      { metadata: { labels: { env: 'prod', tier: 'back' } } },
      { ...deployment, metadata: { ...deployment.metadata, labels: { app: 'web', tier: 'back', env: 'prod' } } },
    ],
    [
      'kubectl label tier- removes a label with null',
      { metadata: { labels: { tier: null } } },
      { ...deployment, metadata: { ...deployment.metadata, labels: { app: 'web' } } },
    ],
    [
      'kubectl annotate removes the last annotation, leaving an empty map',
      { metadata: { annotations: { note: null } } },
      { ...deployment, metadata: { ...deployment.metadata, annotations: {} } },
    ],
    ['kubectl scale sets replicas', { spec: { replicas: 3 } }, { ...deployment, spec: { ...deployment.spec, replicas: 3 } }],
    [
      'a list in the patch replaces the whole list (no merging by name)',
      { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } } },
      { ...deployment, spec: { ...deployment.spec, template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } } },
    ],
    [
      'new values lose their null members, lists keep null items',
      { spec: { extra: { a: null, b: [null, { c: null, d: 1 }] } } },
      { ...deployment, spec: { ...deployment.spec, extra: { b: [null, { d: 1 }] } } },
    ],
    ['null for an absent key changes nothing', { status: null }, deployment],
    ['an empty patch changes nothing', {}, deployment],
  ])('%s', (_name, patch, expected) => {
    expect(applyMergePatch(deployment, patch)).toEqual(expected);
  });

  it('never changes its inputs', () => {
    const document = { a: { b: 1 }, l: [1] };
    const patch = { a: { b: null, c: 2 }, l: [2] };
    expect(applyMergePatch(document, patch)).toEqual({ a: { c: 2 }, l: [2] });
    expect(document).toEqual({ a: { b: 1 }, l: [1] });
    expect(patch).toEqual({ a: { b: null, c: 2 }, l: [2] });
  });

  it('treats "__proto__" as an ordinary key', () => {
    const patch = JSON.parse('{"__proto__":{"polluted":true},"a":1}') as unknown;
    const result = applyMergePatch({}, patch) as Record<string, unknown>;
    expect(Object.keys(result).sort()).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads "constructor" in the live object as an ordinary key', () => {
    expect(applyMergePatch({ constructor: { a: 1 } }, { constructor: { b: 2 } })).toEqual({ constructor: { a: 1, b: 2 } });
    expect(applyMergePatch({}, { toString: { b: 2 } })).toEqual({ toString: { b: 2 } });
  });
});

describe('applyMergePatch refuses what Kubernetes refuses', () => {
  it.each<[string, unknown]>([
    ['null', null],
    ['a string', 'bar'],
    ['a number', 3],
    ['a boolean', true],
    ['nothing', undefined],
  ])('a patch that is %s is a 400 "Invalid JSON Patch"', (_name, patch) => {
    let error: unknown;
    try {
      applyMergePatch({ a: 'foo' }, patch);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PatchError);
    const { code, reason, message } = error as PatchError;
    expect({ code, reason, message }).toEqual({ code: 400, reason: 'BadRequest', message: 'Invalid JSON Patch' });
  });
});
