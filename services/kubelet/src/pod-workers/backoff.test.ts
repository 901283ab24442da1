import { FakeClock } from '@kubelab/client';
import { describe, expect, it } from 'vitest';
import { ItemBackoff } from './backoff';

describe('ItemBackoff', () => {
  it('starts at the initial back-off, doubles up to the max, and starts over after 2x max of quiet', () => {
    const clock = new FakeClock(0);
    const b = new ItemBackoff(10_000, 40_000, clock);
    expect(b.isInBackOffSince('c', 0)).toBe(false);
    b.next('c', 0);
    expect(b.get('c')).toBe(10_000);
    expect(b.isInBackOffSince('c', 0)).toBe(true);
    clock.step(10_000);
    expect(b.isInBackOffSince('c', 0)).toBe(false);
    for (const expected of [20_000, 40_000, 40_000]) {
      b.next('c', clock.now());
      expect(b.get('c')).toBe(expected);
    }
    clock.step(80_001);
    expect(b.isInBackOffSince('c', clock.now())).toBe(false);
    b.next('c', clock.now());
    expect(b.get('c')).toBe(10_000);
  });

  it('counts the quiet time from the restart (when next() ran), not from the crash before it', () => {
    const clock = new FakeClock(0);
    const b = new ItemBackoff(10_000, 40_000, clock);
    for (let i = 0; i < 3; i++) b.next('c', clock.now());
    expect(b.get('c')).toBe(40_000);
    // A crash at 0, the restart 40 s later at the cap, then 60 s of running (less than twice the cap).
    const crash = clock.now();
    clock.step(40_000);
    b.next('c', crash);
    clock.step(60_000);
    expect(b.isInBackOffSince('c', clock.now())).toBe(true);
  });

  it('since-update counts from the last next()', () => {
    const clock = new FakeClock(1_000);
    const b = new ItemBackoff(100, 1_000, clock);
    b.next('img');
    expect(b.isInBackOffSinceUpdate('img')).toBe(true);
    expect(b.expiresAt('img')).toBe(1_100);
    clock.step(100);
    expect(b.isInBackOffSinceUpdate('img')).toBe(false);
    b.reset('img');
    expect(b.get('img')).toBe(0);
  });
});
