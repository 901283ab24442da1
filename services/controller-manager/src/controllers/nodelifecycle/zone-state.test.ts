import { describe, expect, it } from 'vitest';
import { computeZoneState, zoneKey, type ZoneState } from './zone-state';

const ready = (status: string) => ({ type: 'Ready', status });

describe('computeZoneState', () => {
  it.each<[string, string[], ZoneState]>([
    ['all Ready', ['True', 'True', 'True'], 'Normal'],
    ['one of three down', ['True', 'True', 'Unknown'], 'Normal'],
    ['none Ready', ['Unknown', 'False'], 'FullDisruption'],
    ['3 of 5 down (60% ≥ 55%)', ['True', 'True', 'Unknown', 'Unknown', 'False'], 'PartialDisruption'],
    ['2 of 3 down: not more than 2', ['True', 'Unknown', 'Unknown'], 'Normal'],
    ['3 of 6 down (50% < 55%)', ['True', 'True', 'True', 'Unknown', 'Unknown', 'Unknown'], 'Normal'],
  ])('%s', (_name, statuses, expected) => {
    expect(computeZoneState(statuses.map(ready), 0.55).state).toBe(expected);
  });

  it('counts a node without a Ready condition as not Ready', () => {
    expect(computeZoneState([undefined], 0.55)).toEqual({ notReady: 1, state: 'FullDisruption' });
  });
});

describe('zoneKey', () => {
  it.each<[string, Record<string, string>, string]>([
    ['no labels', {}, ''],
    ['zone and region', { 'topology.kubernetes.io/zone': 'a', 'topology.kubernetes.io/region': 'r' }, 'r:\x00:a'],
    ['zone only', { 'topology.kubernetes.io/zone': 'a' }, ':\x00:a'],
    ['the beta label wins', { 'failure-domain.beta.kubernetes.io/zone': 'old', 'topology.kubernetes.io/zone': 'new' }, ':\x00:old'],
  ])('%s', (_name, labels, expected) => {
    expect(zoneKey({ metadata: { labels } })).toBe(expected);
  });
});
