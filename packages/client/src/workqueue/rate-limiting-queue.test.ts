import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock';
import { BucketRateLimiter, ItemExponentialFailureRateLimiter, MaxOfRateLimiter, defaultControllerRateLimiter } from './rate-limiter';
import { RateLimitingQueue } from './rate-limiting-queue';

describe('ItemExponentialFailureRateLimiter', () => {
  it('doubles from 5 ms per failure of the same item, up to 1000 s (client-go defaults)', () => {
    const limiter = new ItemExponentialFailureRateLimiter<string>();
    const delays = Array.from({ length: 20 }, () => limiter.when('a'));
    expect(delays.slice(0, 5)).toEqual([5, 10, 20, 40, 80]);
    expect(delays[17]).toBe(5 * 2 ** 17); // 655.36 s
    expect(delays[18]).toBe(1_000_000); // capped
    expect(delays[19]).toBe(1_000_000);
    expect(limiter.numRequeues('a')).toBe(20);
  });

  it('counts each item apart, and forget starts an item over', () => {
    const limiter = new ItemExponentialFailureRateLimiter<string>(1, 1000);
    limiter.when('a');
    limiter.when('a');
    expect(limiter.when('b')).toBe(1);
    expect(limiter.when('a')).toBe(4);
    limiter.forget('a');
    expect(limiter.numRequeues('a')).toBe(0);
    expect(limiter.when('a')).toBe(1);
  });

  it('stays finite after very many failures', () => {
    const limiter = new ItemExponentialFailureRateLimiter<string>();
    for (let i = 0; i < 2000; i++) limiter.when('a');
    expect(limiter.when('a')).toBe(1_000_000);
  });
});

describe('BucketRateLimiter', () => {
  it('lets a burst through at once, then spaces tries at 1/qps, refilling with time', () => {
    const clock = new FakeClock();
    const limiter = new BucketRateLimiter<string>(10, 3, clock);
    expect([limiter.when('a'), limiter.when('b'), limiter.when('c')]).toEqual([0, 0, 0]);
    expect(limiter.when('d')).toBeCloseTo(100);
    expect(limiter.when('e')).toBeCloseTo(200);
    clock.step(1000); // refills (up to the burst)
    expect(limiter.when('f')).toBe(0);
  });
});

describe('defaultControllerRateLimiter', () => {
  it('is the larger of the per-item back-off and the overall bucket (10 qps, burst 100)', () => {
    const clock = new FakeClock();
    const limiter = defaultControllerRateLimiter<string>(clock);
    expect(limiter.when('a')).toBe(5);
    expect(limiter.when('a')).toBe(10);
    for (let i = 0; i < 98; i++) limiter.when(`k${i}`); // 100 tokens used
    expect(limiter.when('b')).toBeCloseTo(100); // the bucket, not b's own 5 ms
    expect(limiter).toBeInstanceOf(MaxOfRateLimiter);
  });
});

describe('RateLimitingQueue', () => {
  it('addRateLimited re-adds an item after its growing back-off; forget resets it', () => {
    const clock = new FakeClock();
    const q = new RateLimitingQueue<string>({ clock, rateLimiter: new ItemExponentialFailureRateLimiter(5, 1000) });
    q.addRateLimited('a');
    expect(q.len()).toBe(0);
    clock.step(5);
    expect(q.len()).toBe(1);
    q.addRateLimited('b');
    q.addRateLimited('b');
    expect(q.numRequeues('b')).toBe(2);
    clock.step(5);
    expect(q.len()).toBe(2); // b waits for the earlier of its two times (5 ms)
    q.forget('b');
    expect(q.numRequeues('b')).toBe(0);
  });

  it('the worker loop: a failing item is retried with back-off, a success forgets it', async () => {
    const clock = new FakeClock();
    const q = new RateLimitingQueue<string>({ clock, rateLimiter: new ItemExponentialFailureRateLimiter(5, 1000) });
    let attempts = 0;
    const reconcile = (key: string) => {
      attempts++;
      if (attempts < 3) throw new Error(`not yet: ${key}`);
    };
    const times: number[] = [];
    const processNextWorkItem = async () => {
      const { item, shutdown } = await q.get();
      if (shutdown) return;
      times.push(clock.now());
      try {
        reconcile(item);
        q.forget(item);
      } catch {
        q.addRateLimited(item);
      } finally {
        q.done(item);
      }
    };
    q.add('default/web');
    await processNextWorkItem(); // t=0: fails, back in 5 ms
    expect(q.len()).toBe(0);
    clock.step(5);
    await processNextWorkItem(); // t=5: fails, back in 10 ms
    clock.step(9);
    expect(q.len()).toBe(0);
    clock.step(1);
    await processNextWorkItem(); // t=15: succeeds
    expect(q.len() + q.waitingLen()).toBe(0);
    expect(attempts).toBe(3);
    expect(times).toEqual([0, 5, 15]);
    expect(q.numRequeues('default/web')).toBe(0);
  });
});
