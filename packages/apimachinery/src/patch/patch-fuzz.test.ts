// Robustness: patches of random shapes (directives in odd places, lists where maps are expected,
// "__proto__" keys, nulls, wrong merge keys...) against random objects. Every call must either
// return a clean JSON value or throw a PatchError, never anything else, and never change its
// inputs (they are frozen). The random sequence is seeded, so a failure replays exactly.
import { describe, expect, it } from 'vitest';
import { applyJsonPatch } from './json-patch';
import type { JsonObject, JsonValue } from './json-value';
import { applyMergePatch } from './merge-patch';
import { PatchError } from './patch-error';
import { strategicMergePatch } from './strategic-merge-patch';

/** A small seeded random generator (mulberry32). */
function randomFrom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PLAIN_KEYS = ['name', 'image', 'spec', 'metadata', 'template', 'containers', 'env', 'finalizers', 'labels', 'ports',
  'containerPort', 'port', 'type', 'conditions', 'status', 'value', 'mountPath', 'uid', 'ownerReferences', 'tolerations',
  'volumes', 'a', 'b', 'x.y', '__proto__', 'constructor', 'toString'];
const DIRECTIVE_KEYS = ['$patch', '$retainKeys', '$setElementOrder/containers', '$setElementOrder/finalizers', '$setElementOrder/env',
  '$deleteFromPrimitiveList/finalizers', '$deleteFromPrimitiveList/containers', '$setElementOrderX', '$deleteFromPrimitiveList', '$other'];
const STRINGS = ['a', 'b', 'web', 'delete', 'replace', 'merge', 'name', 'x', ''];
const KINDS = ['Pod', 'Deployment', 'Service', 'Node', 'ConfigMap', 'CronJob'];

class Shapes {
  constructor(
    readonly random: () => number,
    private readonly directives: boolean,
  ) {}

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }

  key(): string {
    return this.directives && this.random() < 0.25 ? this.pick(DIRECTIVE_KEYS) : this.pick(PLAIN_KEYS);
  }

  value(depth: number): JsonValue {
    const roll = this.random();
    if (depth <= 0 || roll < 0.3) return this.scalar();
    if (roll < 0.55) return this.list(depth - 1);
    return this.map(depth - 1);
  }

  scalar(): JsonValue {
    return this.pick<JsonValue>([null, true, false, 0, 80, 1.5, -1, ...STRINGS]);
  }

  list(depth: number): JsonValue[] {
    const length = Math.floor(this.random() * 4);
    const uniform = this.random() < 0.6;
    const first = this.value(depth);
    return Array.from({ length }, () => (uniform && this.random() < 0.7 ? this.itemLike(first, depth) : this.value(depth)));
  }

  /** An item of the same kind as `first`, often with a merge key, so merging code is reached. */
  itemLike(first: JsonValue, depth: number): JsonValue {
    if (first !== null && typeof first === 'object' && !Array.isArray(first)) {
      const item = this.map(depth);
      item[this.pick(['name', 'type', 'port', 'containerPort', 'uid', 'mountPath'])] = this.pick<JsonValue>(['a', 'b', 80, 443]);
      return item;
    }
    return typeof first === 'string' ? this.pick(STRINGS) : this.value(depth);
  }

  map(depth: number): JsonObject {
    const out: JsonObject = {};
    const size = Math.floor(this.random() * 4);
    for (let i = 0; i < size; i++) {
      Object.defineProperty(out, this.key(), { value: this.value(depth), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}

/** Whether `value` is plain JSON: plain objects, lists, finite numbers, no undefined. */
function isPlainJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isPlainJson);
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.keys(value).every((key) => isPlainJson((value as Record<string, unknown>)[key]));
}

/** Keys of the strategic merge patch directives anywhere in `value`. */
function directiveKeys(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(directiveKeys);
  if (value === null || typeof value !== 'object') return [];
  return Object.keys(value).flatMap((key) => [
    ...(/^\$(patch|retainKeys)$|^\$(setElementOrder|deleteFromPrimitiveList)\//.test(key) ? [key] : []),
    ...directiveKeys((value as Record<string, unknown>)[key]),
  ]);
}

/** Runs `call`; returns 'ok' with the result, or the PatchError code. Anything else fails the test. */
function outcome(call: () => unknown): { result?: unknown; code?: number } {
  try {
    return { result: call() };
  } catch (error) {
    if (!(error instanceof PatchError)) throw error;
    expect(error.message.length).toBeGreaterThan(0);
    return { code: error.code };
  }
}

describe('random patches never break the patch functions', () => {
  it('strategicMergePatch returns clean JSON or throws PatchError', () => {
    const shapes = new Shapes(randomFrom(1), true);
    const codes = new Map<number | 'ok', number>();
    for (let i = 0; i < 4000; i++) {
      const original = deepFreeze(new Shapes(randomFrom(1000 + i), false).map(4));
      const patch = deepFreeze(shapes.random() < 0.95 ? shapes.map(4) : shapes.value(2));
      const { result, code } = outcome(() => strategicMergePatch(original, patch, shapes.pick(KINDS)));
      codes.set(code ?? 'ok', (codes.get(code ?? 'ok') ?? 0) + 1);
      if (code === undefined) {
        expect(isPlainJson(result)).toBe(true);
        expect(directiveKeys(result)).toEqual([]);
      } else {
        expect([400, 422, 500]).toContain(code);
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Both paths were exercised, errors of each class included.
    expect([...codes.keys()].sort()).toEqual([400, 422, 500, 'ok']);
    expect(codes.get('ok')).toBeGreaterThan(1000);
  });

  it('strategicMergePatch without directives or merging lists equals the JSON merge patch', () => {
    const shapes = new Shapes(randomFrom(2), false);
    for (let i = 0; i < 2000; i++) {
      const original = shapes.map(4);
      const patch = shapes.map(4);
      for (const value of [original, patch]) delete value.metadata;
      expect(strategicMergePatch(original, patch, 'ConfigMap')).toEqual(applyMergePatch(original, patch));
    }
  });

  it('applyMergePatch returns clean JSON or throws PatchError 400', () => {
    const shapes = new Shapes(randomFrom(3), true);
    for (let i = 0; i < 2000; i++) {
      const { result, code } = outcome(() => applyMergePatch(deepFreeze(shapes.value(4)), deepFreeze(shapes.value(4))));
      if (code === undefined) expect(isPlainJson(result)).toBe(true);
      else expect(code).toBe(400);
    }
  });

  it('applyJsonPatch returns clean JSON or throws PatchError 400 or 422', () => {
    const shapes = new Shapes(randomFrom(4), false);
    const ops = ['add', 'remove', 'replace', 'move', 'copy', 'test', 'bogus'];
    const pointer = (): JsonValue =>
      shapes.random() < 0.05
        ? shapes.scalar()
        : '/' + Array.from({ length: 1 + Math.floor(shapes.random() * 3) }, () => shapes.pick([...PLAIN_KEYS, '0', '1', '-', '-1', '~1'])).join('/');
    let applied = 0;
    for (let i = 0; i < 4000; i++) {
      const operation = (): JsonValue => ({ op: shapes.pick(ops), path: pointer(), from: pointer(), value: shapes.value(2) });
      const patch = shapes.random() < 0.97 ? Array.from({ length: 1 + Math.floor(shapes.random() * 3) }, operation) : shapes.value(2);
      const { result, code } = outcome(() => applyJsonPatch(deepFreeze(shapes.map(4)), deepFreeze(patch)));
      if (code === undefined) {
        applied++;
        expect(isPlainJson(result)).toBe(true);
      } else {
        expect([400, 422]).toContain(code);
      }
    }
    expect(applied).toBeGreaterThan(100);
  });

  it('refuses absurdly deep inputs with PatchError instead of overflowing the stack', () => {
    let deep: JsonValue = 1;
    for (let i = 0; i < 5000; i++) deep = { a: deep };
    const error = outcome(() => strategicMergePatch({}, deep, 'Pod'));
    expect(error.code).toBe(400);
    expect(outcome(() => applyMergePatch({}, deep)).code).toBe(400);
    expect(outcome(() => applyJsonPatch(deep, [])).code).toBe(400);
  });
});
