import { afterEach, describe, expect, it } from 'vitest';
import { ItemExponentialFailureRateLimiter, type Informer, type KubeObject } from '@kubelab/client';
import { waitFor } from '@kubelab/component-base';
import type { ControllerContext } from './context';
import { QueueController, type QueueControllerOptions } from './queue-controller';
import { testEnv, withQueueProbe, type TestEnv } from './testing';

/** A controller whose reconcile fails for the keys in `failing`, waits for `gate` if set, and records what it reconciled. */
class Recorder extends QueueController {
  readonly failing = new Set<string>();
  readonly reconciled: string[] = [];
  gate: Promise<void> | undefined;
  inFlight = 0;

  constructor(ctx: ControllerContext, options?: QueueControllerOptions) {
    super('recorder', ctx, options);
  }

  async reconcile(key: string): Promise<void> {
    this.reconciled.push(key);
    this.inFlight++;
    await this.gate;
    this.inFlight--;
    if (this.failing.has(key)) throw new Error(`${key} failed`);
  }

  protected informers(): Informer<KubeObject>[] {
    return [];
  }
}
const ProbedRecorder = withQueueProbe(Recorder);

let env: TestEnv;
afterEach(async () => env?.close());

describe('QueueController workers', () => {
  it.each<{ name: string; concurrentSyncs?: number; flag?: number; workers: number }>([
    { name: 'no --concurrent-*-syncs flag in Kubernetes: one', workers: 1 },
    { name: 'no such flag in Kubernetes, whatever --concurrent-syncs says: one', flag: 8, workers: 1 },
    { name: "Kubernetes' default when --concurrent-syncs is not given", concurrentSyncs: 5, workers: 5 },
    { name: '--concurrent-syncs when given', concurrentSyncs: 5, flag: 2, workers: 2 },
  ])('$name', async ({ concurrentSyncs, flag, workers }) => {
    env = await testEnv({ concurrentSyncs: flag });
    expect(new Recorder(env.ctx, { concurrentSyncs }).workers).toBe(workers);
  });

  it('reconciles as many keys at once as it has workers', async () => {
    env = await testEnv({ concurrentSyncs: 3 });
    const controller = new Recorder(env.ctx, { concurrentSyncs: 1 });
    let release!: () => void;
    controller.gate = new Promise((resolve) => (release = resolve));
    for (const key of ['a', 'b', 'c', 'd']) controller.enqueue(key);
    const stop = new AbortController();
    const running = controller.run(stop.signal);
    await waitFor(() => controller.inFlight === 3, { what: 'three reconciles at once' });
    // The fourth key waits for a free worker.
    expect(controller.reconciled).toEqual(['a', 'b', 'c']);
    release();
    await waitFor(() => controller.reconciled.length === 4 && controller.inFlight === 0, { what: 'the fourth key' });
    stop.abort();
    await running;
  });
});

describe('QueueController retries', () => {
  it("retries a failed key after client-go's default back-off (5 ms, doubling), and forgets it once it succeeds", async () => {
    env = await testEnv();
    const controller = new ProbedRecorder(env.ctx);
    controller.failing.add('k');
    controller.enqueue('k');
    await controller.drain();
    expect([controller.pending(), controller.waiting()]).toEqual([0, 1]);
    await env.clock.advance(4);
    expect(controller.pending()).toBe(0);
    await env.clock.advance(1);
    expect(controller.pending()).toBe(1);
    await controller.drain();
    await env.clock.advance(9);
    expect(controller.pending()).toBe(0);
    await env.clock.advance(1);
    expect(controller.pending()).toBe(1);

    controller.failing.delete('k');
    await controller.drain();
    // Forgotten: the next failure starts again from the first delay.
    expect(controller.retryDelay('k')).toBe(5);
  });

  it("retries after the controller's own rate limiter when it has one", async () => {
    env = await testEnv();
    const controller = new ProbedRecorder(env.ctx, { rateLimiter: new ItemExponentialFailureRateLimiter<string>(1_000, 4_000) });
    controller.failing.add('k');
    controller.enqueue('k');
    await controller.drain();
    await env.clock.advance(999);
    expect(controller.pending()).toBe(0);
    await env.clock.advance(1);
    expect(controller.pending()).toBe(1);
    expect([controller.retryDelay('k'), controller.retryDelay('k'), controller.retryDelay('k')]).toEqual([2_000, 4_000, 4_000]);
  });
});

describe('QueueController when its term ends', () => {
  it('takes no more keys once the signal aborts, even those queued before', async () => {
    env = await testEnv({ concurrentSyncs: 1 });
    const controller = new Recorder(env.ctx, { concurrentSyncs: 1 });
    const stop = new AbortController();
    let release!: () => void;
    controller.gate = new Promise((resolve) => (release = resolve));
    for (let i = 0; i < 10; i++) controller.enqueue(`k${i}`);
    const running = controller.run(stop.signal);
    await waitFor(() => controller.inFlight === 1, { what: 'the first reconcile' });
    // The Lease is lost while the first key is being reconciled.
    stop.abort();
    release();
    await running;
    expect(controller.reconciled).toEqual(['k0']);
  });

  it('does not retry a key whose reconcile failed after the signal aborted, nor one queued again meanwhile', async () => {
    env = await testEnv({ concurrentSyncs: 2 });
    const controller = new ProbedRecorder(env.ctx, { concurrentSyncs: 2 });
    const stop = new AbortController();
    let release!: () => void;
    controller.gate = new Promise((resolve) => (release = resolve));
    controller.failing.add('a');
    controller.enqueue('a');
    controller.enqueue('b');
    const running = controller.run(stop.signal);
    await waitFor(() => controller.inFlight === 2, { what: 'both keys in flight' });
    // Both changed again while being reconciled: they would be queued again when done.
    controller.enqueue('a');
    controller.enqueue('b');
    stop.abort();
    release();
    await running;
    // No retry waits for its time: nothing comes back for the old term.
    expect(controller.waiting()).toBe(0);
    await env.clock.advance(60_000);
    expect(controller.reconciled.sort()).toEqual(['a', 'b']);
    expect(controller.waiting()).toBe(0);
  });
});
