import type { Clock, ClockTimer } from '@kubelab/client';
import { describe, expect, it } from 'vitest';
import { TimedWorkerQueue } from './timed-workers';

/** A clock whose timers go off when the test says, whatever its time: as Node's can, a little before `now()` reaches their due time. */
function handClock(start: number) {
  let now = start;
  let id = 0;
  const timers = new Map<number, () => void>();
  const clock: Clock = {
    now: () => now,
    setTimeout: (callback) => {
      const timer = { id: ++id };
      timers.set(timer.id, callback);
      return timer;
    },
    clearTimeout: (timer: ClockTimer) => void timers.delete((timer as { id: number }).id),
  };
  return { clock, fireAll: () => [...timers.values()].forEach((f) => f()), advance: (ms: number) => void (now += ms), pending: () => timers.size };
}

describe('TimedWorkerQueue', () => {
  it('work is due once its timer has gone off, even if the clock still reads a moment before its time', () => {
    const hand = handClock(1_000);
    const fired: string[] = [];
    const queue = new TimedWorkerQueue(hand.clock, (key) => fired.push(key));
    queue.addWork('default/p', 1_000, 4_000);
    expect(queue.isDue('default/p', hand.clock.now())).toBe(false);
    hand.advance(2_998);
    hand.fireAll();
    expect(fired).toEqual(['default/p']);
    expect(hand.clock.now()).toBeLessThan(4_000);
    expect(queue.isDue('default/p', hand.clock.now())).toBe(true);
  });

  it('work whose time has come is due without a timer; cancelled or done work is not', () => {
    const hand = handClock(1_000);
    const queue = new TimedWorkerQueue(hand.clock, () => undefined);
    queue.addWork('default/now', 1_000, 1_000);
    expect(hand.pending()).toBe(0);
    expect(queue.isDue('default/now', 1_000)).toBe(true);
    queue.markDone('default/now');
    expect(queue.isDue('default/now', 1_000)).toBe(false);
    queue.addWork('default/later', 1_000, 2_000);
    expect(queue.cancelWork('default/later')).toBe(true);
    expect(hand.pending()).toBe(0);
    expect(queue.isDue('default/later', 5_000)).toBe(false);
  });
});
