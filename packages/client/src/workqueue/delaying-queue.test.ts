import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock';
import { DelayingQueue } from './delaying-queue';

describe('DelayingQueue', () => {
  it('addAfter adds the item only once its time has come', () => {
    const clock = new FakeClock();
    const q = new DelayingQueue<string>(clock);
    q.addAfter('a', 50);
    expect(q.len()).toBe(0);
    clock.step(49);
    expect(q.len()).toBe(0);
    clock.step(1);
    expect(q.len()).toBe(1);
    expect(q.waitingLen()).toBe(0);
  });

  it('a zero or negative delay adds at once', () => {
    const q = new DelayingQueue<string>(new FakeClock());
    q.addAfter('a', 0);
    q.addAfter('b', -5);
    expect(q.len()).toBe(2);
  });

  it('items become ready in the order of their times, not of their adds', async () => {
    const clock = new FakeClock();
    const q = new DelayingQueue<string>(clock);
    q.addAfter('late', 30);
    q.addAfter('early', 10);
    q.addAfter('middle', 20);
    clock.step(15);
    expect(q.len()).toBe(1);
    clock.step(15);
    expect(q.len()).toBe(3);
    expect([(await q.get()).item, (await q.get()).item, (await q.get()).item]).toEqual(['early', 'middle', 'late']);
  });

  it('an item waiting twice keeps the earlier time', () => {
    const clock = new FakeClock();
    const q = new DelayingQueue<string>(clock);
    q.addAfter('a', 100);
    q.addAfter('a', 10);
    q.addAfter('a', 500);
    expect(q.waitingLen()).toBe(1);
    clock.step(10);
    expect(q.len()).toBe(1);
    clock.step(1000);
    expect(q.len()).toBe(1);
  });

  it('a delayed item that is already queued is not queued twice', () => {
    const clock = new FakeClock();
    const q = new DelayingQueue<string>(clock);
    q.add('a');
    q.addAfter('a', 10);
    clock.step(10);
    expect(q.len()).toBe(1);
  });

  it('shutDown drops the waiting items and their timer', () => {
    const clock = new FakeClock();
    const q = new DelayingQueue<string>(clock);
    q.addAfter('a', 10);
    q.shutDown();
    expect(clock.pendingTimers).toBe(0);
    clock.step(20);
    expect(q.len()).toBe(0);
  });

  it('keeps one timer, for the earliest item', () => {
    const clock = new FakeClock();
    const q = new DelayingQueue<string>(clock);
    q.addAfter('a', 100);
    q.addAfter('b', 50);
    q.addAfter('c', 200);
    expect(clock.pendingTimers).toBe(1);
    clock.step(50);
    expect(q.len()).toBe(1);
    expect(clock.pendingTimers).toBe(1);
  });
});
