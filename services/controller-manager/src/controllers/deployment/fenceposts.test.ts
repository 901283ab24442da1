import { describe, expect, it } from 'vitest';
import { scaledValueFromIntOrPercent, type IntOrString } from '../../controller/int-or-string';
import { maxSurge, maxUnavailable, resolveFenceposts } from './fenceposts';

describe('resolveFenceposts', () => {
  it.each<[IntOrString, IntOrString, number, number, number]>([
    // maxSurge, maxUnavailable, replicas → surge (rounded up), unavailable (rounded down)
    ['25%', '25%', 3, 1, 0],
    ['25%', '25%', 4, 1, 1],
    ['25%', '25%', 10, 3, 2],
    ['25%', '25%', 1, 1, 0],
    ['50%', '50%', 5, 3, 2],
    [2, 1, 5, 2, 1],
    // Both zero would never move: one may be unavailable.
    [0, 0, 5, 0, 1],
    ['0%', '10%', 5, 0, 1],
    ['100%', 0, 3, 3, 0],
  ])('maxSurge %s, maxUnavailable %s of %d → %d, %d', (surge, unavailable, replicas, wantSurge, wantUnavailable) => {
    expect(resolveFenceposts(surge, unavailable, replicas)).toEqual({ surge: wantSurge, unavailable: wantUnavailable });
  });

  it('refuses a string that is not a percentage', () => {
    expect(() => scaledValueFromIntOrPercent('3', 10, true)).toThrow('invalid value for IntOrString: invalid type: string is not a percentage');
  });
});

describe('maxSurge / maxUnavailable of a Deployment', () => {
  const d = (replicas: number, strategy: object) => ({ metadata: { name: 'web' }, spec: { replicas, strategy } });

  it.each<[string, object, number, number, number]>([
    ['defaults (25%/25%) when rollingUpdate is missing', { type: 'RollingUpdate' }, 3, 1, 0],
    ['defaults for a missing number', { type: 'RollingUpdate', rollingUpdate: { maxSurge: 2 } }, 8, 2, 2],
    ['Recreate: none', { type: 'Recreate' }, 3, 0, 0],
    ['maxUnavailable at most spec.replicas', { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 5 } }, 2, 0, 2],
    ['no replicas: none unavailable', { type: 'RollingUpdate' }, 0, 0, 0],
  ])('%s', (_name, strategy, replicas, surge, unavailable) => {
    expect(maxSurge(d(replicas, strategy))).toBe(surge);
    expect(maxUnavailable(d(replicas, strategy))).toBe(unavailable);
  });
});
