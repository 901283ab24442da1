import { describe, expect, it } from 'vitest';
import { slowStartBatch } from './slow-start';

describe('slowStartBatch', () => {
  it.each([
    // count, fail on call n (1-based, 0: never), calls made, successes
    [0, 0, 0, 0],
    [1, 0, 1, 1],
    [7, 0, 7, 7],
    [10, 0, 10, 10],
    [10, 1, 1, 0],
    [10, 2, 3, 2],
    [10, 4, 7, 6],
    [10, 8, 10, 9],
  ])('count %d, failing call %d: %d calls, %d successes', async (count, failOn, calls, successes) => {
    let n = 0;
    const result = await slowStartBatch(count, 1, async () => {
      n++;
      if (n === failOn) throw new Error('quota exceeded');
    });
    expect(n).toBe(calls);
    expect(result.successes).toBe(successes);
    expect(result.error === undefined).toBe(failOn === 0);
  });

  it('batches grow 1, 2, 4, 8 and the last takes the rest', async () => {
    const batches: number[] = [];
    let inFlight = 0;
    await slowStartBatch(20, 1, async () => {
      if (inFlight === 0) batches.push(0);
      inFlight++;
      batches[batches.length - 1]!++;
      await Promise.resolve();
      inFlight--;
    });
    expect(batches).toEqual([1, 2, 4, 8, 5]);
  });
});
