import { describe, expect, it } from 'vitest';
import {
  doNotScheduleTaint,
  findMatchingUntoleratedTaint,
  getMatchingTolerations,
  matchTaint,
  nodeTaints,
  podTolerations,
  taintExists,
  toleratesTaint,
  tolerationsTolerateTaint,
  type Taint,
  type Toleration,
} from './taints';

const taint: Taint = { key: 'disktype', value: 'ssd', effect: 'NoSchedule' };

describe('toleratesTaint', () => {
  it.each<[string, Toleration, boolean]>([
    ['Equal, same key, value and effect', { key: 'disktype', operator: 'Equal', value: 'ssd', effect: 'NoSchedule' }, true],
    ['no operator means Equal', { key: 'disktype', value: 'ssd' }, true],
    ['Equal with another value', { key: 'disktype', operator: 'Equal', value: 'hdd' }, false],
    ['Equal without a value does not tolerate a taint with one', { key: 'disktype', operator: 'Equal' }, false],
    ['Exists ignores the value', { key: 'disktype', operator: 'Exists' }, true],
    ['another effect', { key: 'disktype', operator: 'Exists', effect: 'NoExecute' }, false],
    ['another key', { key: 'gpu', operator: 'Exists' }, false],
    ['no key with Exists: every taint', { operator: 'Exists' }, true],
    ['an unknown operator', { key: 'disktype', operator: 'In', value: 'ssd' }, false],
  ])('%s', (_name, toleration, expected) => {
    expect(toleratesTaint(toleration, taint)).toBe(expected);
  });

  it('an Equal toleration without a value tolerates a taint without one', () => {
    expect(toleratesTaint({ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }, { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' })).toBe(true);
  });
});

describe('tolerationsTolerateTaint', () => {
  it.each<[string, Toleration[], boolean]>([
    ['no tolerations', [], false],
    ['one of several tolerates it', [{ key: 'gpu', operator: 'Exists' }, { key: 'disktype', value: 'ssd' }], true],
    ['none does', [{ key: 'gpu', operator: 'Exists' }, { key: 'disktype', value: 'hdd' }], false],
  ])('%s', (_name, tolerations, expected) => {
    expect(tolerationsTolerateTaint(tolerations, taint)).toBe(expected);
  });
});

describe('findMatchingUntoleratedTaint', () => {
  const taints: Taint[] = [
    { key: 'spot', value: 'true', effect: 'PreferNoSchedule' },
    { key: 'a', value: '1', effect: 'NoSchedule' },
    { key: 'b', value: '2', effect: 'NoExecute' },
  ];

  it.each<[string, Toleration[], (t: Taint) => boolean, string | undefined]>([
    ['PreferNoSchedule is out of doNotScheduleTaint: the first NoSchedule one', [], doNotScheduleTaint, 'a'],
    ['the first one not tolerated, in the node order', [{ key: 'a', operator: 'Exists' }], doNotScheduleTaint, 'b'],
    ['every one tolerated', [{ key: 'a', operator: 'Exists' }, { key: 'b', operator: 'Exists' }], doNotScheduleTaint, undefined],
    ['only NoExecute in scope', [], (t) => t.effect === 'NoExecute', 'b'],
    ['nothing in scope', [], () => false, undefined],
  ])('%s', (_name, tolerations, inScope, want) => {
    expect(findMatchingUntoleratedTaint(taints, tolerations, inScope)?.key).toBe(want);
  });
});

describe('doNotScheduleTaint', () => {
  it.each([
    ['NoSchedule', true],
    ['NoExecute', true],
    ['PreferNoSchedule', false],
  ])('%s', (effect, expected) => {
    expect(doNotScheduleTaint({ key: 'k', effect })).toBe(expected);
  });
});

describe('getMatchingTolerations', () => {
  it('reports the first toleration of each taint, or none when one taint is not tolerated', () => {
    const other: Taint = { key: 'gpu', effect: 'NoSchedule' };
    const tolerations: Toleration[] = [{ key: 'disktype', operator: 'Exists' }, { operator: 'Exists', effect: 'NoSchedule' }];
    expect(getMatchingTolerations([taint, other], tolerations)).toEqual({ allTolerated: true, used: [tolerations[0], tolerations[1]] });
    expect(getMatchingTolerations([taint, other], [tolerations[0]!])).toEqual({ allTolerated: false, used: [] });
    expect(getMatchingTolerations([], [])).toEqual({ allTolerated: true, used: [] });
  });
});

describe('taint identity', () => {
  it.each<[string, Taint, boolean]>([
    ['same key and effect, another value', { key: 'disktype', value: 'hdd', effect: 'NoSchedule' }, true],
    ['another effect', { key: 'disktype', effect: 'NoExecute' }, false],
    ['another key', { key: 'gpu', effect: 'NoSchedule' }, false],
  ])('%s', (_name, other, expected) => {
    expect(matchTaint(taint, other)).toBe(expected);
    expect(taintExists([{ key: 'x', effect: 'NoSchedule' }, taint], other)).toBe(expected);
  });
});

describe('accessors', () => {
  it('read spec.taints and spec.tolerations, empty when unset', () => {
    expect(nodeTaints({ spec: { taints: [taint] } })).toEqual([taint]);
    expect(nodeTaints({})).toEqual([]);
    expect(podTolerations({ spec: { tolerations: [{ operator: 'Exists' }] } })).toEqual([{ operator: 'Exists' }]);
    expect(podTolerations({ spec: {} })).toEqual([]);
  });
});
