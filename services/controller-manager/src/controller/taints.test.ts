import { describe, expect, it } from 'vitest';
import { getMatchingTolerations, taintExists, toleratesTaint, type Taint, type Toleration } from './taints';

const taint: Taint = { key: 'disktype', value: 'ssd', effect: 'NoSchedule' };

describe('toleratesTaint', () => {
  it.each<[string, Toleration, boolean]>([
    ['Equal, same key, value and effect', { key: 'disktype', operator: 'Equal', value: 'ssd', effect: 'NoSchedule' }, true],
    ['no operator means Equal', { key: 'disktype', value: 'ssd' }, true],
    ['Equal with another value', { key: 'disktype', operator: 'Equal', value: 'hdd' }, false],
    ['Exists ignores the value', { key: 'disktype', operator: 'Exists' }, true],
    ['another effect', { key: 'disktype', operator: 'Exists', effect: 'NoExecute' }, false],
    ['another key', { key: 'gpu', operator: 'Exists' }, false],
    ['no key with Exists: every taint', { operator: 'Exists' }, true],
    ['an unknown operator', { key: 'disktype', operator: 'In', value: 'ssd' }, false],
  ])('%s', (_name, toleration, expected) => {
    expect(toleratesTaint(toleration, taint)).toBe(expected);
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

  it('finds taints by key and effect', () => {
    expect(taintExists([taint], { key: 'disktype', effect: 'NoSchedule' })).toBe(true);
    expect(taintExists([taint], { key: 'disktype', effect: 'NoExecute' })).toBe(false);
  });
});
