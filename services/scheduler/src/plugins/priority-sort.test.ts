import { describe, expect, it } from 'vitest';
import { newPodInfo } from '../framework/pod-info';
import type { QueuedPodInfo } from '../framework/types';
import { pod } from '../testing/fixtures';
import { PrioritySort } from './priority-sort';

const queued = (priority: number | undefined, timestamp: number): QueuedPodInfo => {
  const p = pod(`p${priority}-${timestamp}`);
  if (priority !== undefined) p.priority(priority);
  return { podInfo: newPodInfo(p.obj()), timestamp, attempts: 0, initialAttemptTimestamp: timestamp, unschedulablePlugins: new Set() };
};

describe('PrioritySort', () => {
  it.each([
    { name: 'higher priority first', a: queued(100, 2), b: queued(10, 1), less: true },
    { name: 'lower priority after', a: queued(10, 1), b: queued(100, 2), less: false },
    { name: 'same priority: the older first', a: queued(5, 1), b: queued(5, 2), less: true },
    { name: 'same priority, same time: neither', a: queued(5, 1), b: queued(5, 1), less: false },
    { name: 'no priority counts as 0', a: queued(undefined, 1), b: queued(1, 2), less: false },
    { name: 'negative priorities', a: queued(-1, 1), b: queued(undefined, 2), less: false },
  ])('$name', ({ a, b, less }) => {
    expect(new PrioritySort().less(a, b)).toBe(less);
  });
});
