import { FakeClock } from '@kubelab/client';
import { createLogger } from '@kubelab/component-base';
import { describe, expect, it } from 'vitest';
import { PodWorker } from './pod-worker';

const log = createLogger('test', 'silent');
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('PodWorker', () => {
  it('runs one sync at a time; a sync asked for meanwhile (even from inside the sync) runs once after it', async () => {
    const clock = new FakeClock(0);
    let active = 0;
    let most = 0;
    let runs = 0;
    let worker: PodWorker;
    const sync = async () => {
      active++;
      most = Math.max(most, active);
      runs++;
      if (runs === 1) {
        worker.enqueue();
        worker.enqueue();
      }
      await settle();
      active--;
      return undefined;
    };
    worker = new PodWorker(sync, clock, log);
    worker.enqueue();
    worker.enqueue();
    await worker.idle();
    expect(most).toBe(1);
    expect(runs).toBe(2);
  });

  it('syncs again when the sync asks (on the clock), and retries a failed sync with doubling back-off', async () => {
    const clock = new FakeClock(0);
    const times: number[] = [];
    let fail = 2;
    const worker = new PodWorker(
      async () => {
        times.push(clock.now());
        if (fail-- > 0) throw new Error('apiserver away');
        return times.length === 3 ? clock.now() + 5_000 : undefined;
      },
      clock,
      log,
      { initialMs: 100, maxMs: 1_000 },
    );
    worker.enqueue();
    await worker.idle();
    await clock.advance(100);
    await worker.idle();
    await clock.advance(200);
    await worker.idle();
    await clock.advance(5_000);
    await worker.idle();
    expect(times).toEqual([0, 100, 300, 5_300]);
    await worker.stop();
    expect(clock.pendingTimers).toBe(0);
  });
});
