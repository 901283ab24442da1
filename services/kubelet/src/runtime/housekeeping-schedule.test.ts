import { waitFor } from '@kubelab/component-base';
import { afterEach, describe, expect, it } from 'vitest';
import { HousekeepingSchedule, type HousekeepingPass } from './housekeeping-schedule';

let schedule: HousekeepingSchedule | undefined;
afterEach(() => schedule?.stop());

function recording(intervalMs: number, limitCheckMs: number): { schedule: HousekeepingSchedule; passes: HousekeepingPass[] } {
  const passes: HousekeepingPass[] = [];
  schedule = new HousekeepingSchedule({ intervalMs, limitCheckMs, run: (pass) => passes.push(pass) });
  return { schedule, passes };
}

describe('HousekeepingSchedule', () => {
  it('without limits: one full pass at once, then one per interval, never a limit check', async () => {
    const { schedule, passes } = recording(40, 10);
    schedule.update(3, 0);
    expect(passes).toEqual(['full']);
    expect(schedule.tickMs).toBe(40);
    await waitFor(() => passes.length >= 4, { timeoutMs: 5_000, intervalMs: 5, what: 'four passes' });
    expect(passes.every((p) => p === 'full')).toBe(true);
  });

  it('with a container that has a limit: limit checks in between, a full pass about every interval; back to the interval when it is gone', async () => {
    const { schedule, passes } = recording(100, 10);
    schedule.update(2, 1);
    expect(schedule.tickMs).toBe(10);
    await waitFor(() => passes.filter((p) => p === 'full').length >= 3, { timeoutMs: 5_000, intervalMs: 5, what: 'three full passes' });
    const limits = passes.filter((p) => p === 'limits').length;
    // Between the first and the third full pass (two intervals) come several limit checks.
    expect(limits).toBeGreaterThanOrEqual(6);
    schedule.update(1, 0);
    expect(schedule.tickMs).toBe(100);
    const before = passes.length;
    await waitFor(() => passes.length >= before + 2, { timeoutMs: 5_000, intervalMs: 5, what: 'two more passes' });
    expect(passes.slice(before).every((p) => p === 'full')).toBe(true);
  });

  it('stops without containers; arming again measures at once unless told not to', () => {
    const { schedule, passes } = recording(1_000, 250);
    schedule.update(1, 0);
    expect(schedule.running).toBe(true);
    schedule.update(0, 0);
    expect(schedule.running).toBe(false);
    schedule.update(1, 1, { measureNow: false });
    expect(schedule.running).toBe(true);
    expect(passes).toEqual(['full']);
  });
});
