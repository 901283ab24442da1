import { describe, expect, it } from 'vitest';
import { capacityAnnotationSetCorrectly, MAX_CAPACITY, OVER_CAPACITY, truncateSubsets } from './over-capacity';
import type { EndpointSubset } from './types';

const addresses = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ ip: `${prefix}.${Math.floor(i / 250)}.${i % 250}` }));
const count = (subsets: EndpointSubset[]) => subsets.map((s) => [s.addresses?.length ?? 0, s.notReadyAddresses?.length ?? 0]);

describe('truncateSubsets', () => {
  it.each([
    { name: 'at capacity nothing is cut', subsets: [{ addresses: addresses(600, '10'), notReadyAddresses: addresses(400, '11') }], cut: false, want: [[600, 400]] },
    {
      name: 'too many ready: ready ones cut in proportion, not-ready ones dropped',
      subsets: [
        { addresses: addresses(900, '10'), notReadyAddresses: addresses(5, '11') },
        { addresses: addresses(300, '12') },
      ],
      cut: true,
      want: [
        [750, 0],
        [250, 0],
      ],
    },
    {
      name: 'room for every ready one: not-ready ones share what is left',
      subsets: [
        { addresses: addresses(500, '10'), notReadyAddresses: addresses(300, '11') },
        { addresses: addresses(300, '12'), notReadyAddresses: addresses(300, '13') },
      ],
      cut: true,
      want: [
        [500, 100],
        [300, 100],
      ],
    },
  ])('$name', ({ subsets, cut, want }) => {
    expect(truncateSubsets(subsets)).toBe(cut);
    expect(count(subsets)).toEqual(want);
    expect(count(subsets).flat().reduce((x, y) => x + y, 0)).toBeLessThanOrEqual(MAX_CAPACITY);
  });

  it('says the over-capacity annotation is right only when present exactly over capacity', () => {
    const small = [{ addresses: addresses(3, '10') }];
    expect(capacityAnnotationSetCorrectly(undefined, small)).toBe(true);
    expect(capacityAnnotationSetCorrectly({ [OVER_CAPACITY]: 'truncated' }, small)).toBe(false);
    expect(capacityAnnotationSetCorrectly({ [OVER_CAPACITY]: 'truncated' }, [{ addresses: addresses(1001, '10') }])).toBe(false);
  });
});
