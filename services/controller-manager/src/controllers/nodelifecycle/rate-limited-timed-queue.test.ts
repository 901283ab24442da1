import { FakeClock } from '@kubelab/client';
import { describe, expect, it } from 'vitest';
import { RateLimitedTimedQueue, TokenBucket } from './rate-limited-timed-queue';

describe('TokenBucket', () => {
  it('starts full, then lets one through every 1/qps seconds', () => {
    const clock = new FakeClock(0);
    const bucket = new TokenBucket(0.1, 1, clock);
    expect(bucket.tryAccept()).toBe(true);
    expect(bucket.tryAccept()).toBe(false);
    clock.step(9_999);
    expect(bucket.tryAccept()).toBe(false);
    clock.step(1);
    expect(bucket.tryAccept()).toBe(true);
  });

  it('never lets anything through at 0 qps', () => {
    const clock = new FakeClock(0);
    const bucket = new TokenBucket(0, 1, clock);
    clock.step(3_600_000);
    expect(bucket.tryAccept()).toBe(false);
  });
});

describe('RateLimitedTimedQueue', () => {
  const drain = async (queue: RateLimitedTimedQueue, ok = true) => {
    const seen: string[] = [];
    await queue.try(async ({ value }) => {
      seen.push(value);
      return { ok, retryAfterMs: 50 };
    });
    return seen;
  };

  it('hands out one node per token, in order, and remembers nodes until removed', async () => {
    const clock = new FakeClock(0);
    const queue = new RateLimitedTimedQueue(clock, 0.1);
    expect(queue.add('a', 'uid-a')).toBe(true);
    expect(queue.add('b', 'uid-b')).toBe(true);
    expect(await drain(queue)).toEqual(['a']);
    clock.step(10_000);
    expect(await drain(queue)).toEqual(['b']);
    // Done, but still known: not queued again for the same outage.
    expect(queue.add('a', 'uid-a')).toBe(false);
    expect(queue.remove('a')).toBe(true);
    expect(queue.add('a', 'uid-a')).toBe(true);
  });

  it('retries a failure after its delay', async () => {
    const clock = new FakeClock(0);
    const queue = new RateLimitedTimedQueue(clock, 1000);
    queue.add('a', 'uid-a');
    expect(await drain(queue, false)).toEqual(['a']);
    clock.step(50);
    expect(await drain(queue, false)).toEqual([]);
    clock.step(1);
    expect(await drain(queue)).toEqual(['a']);
  });

  it('stops when its limiter is swapped to 0 qps, and starts again a full period after it is swapped back', async () => {
    const clock = new FakeClock(0);
    const queue = new RateLimitedTimedQueue(clock, 0.1);
    queue.add('a', 'uid-a');
    queue.swapLimiter(0);
    clock.step(60_000);
    expect(await drain(queue)).toEqual([]);
    // The stopped limiter had no token to give: the new one starts empty.
    queue.swapLimiter(0.1);
    expect(await drain(queue)).toEqual([]);
    clock.step(10_000);
    expect(await drain(queue)).toEqual(['a']);
  });
});
