import type { Clock, ClockTimer } from '@kubelab/client';
import type { Logger } from '@kubelab/component-base';

/** A sync's answer: when to sync again (a time on the worker's clock, ms), if nothing else asks first. */
export type SyncResult = number | undefined;

/**
 * One pod's worker (the kubelet's podWorkers loop for one UID): its syncs run one at a time; a
 * sync asked for while one runs happens once right after; a sync that fails is retried with
 * back-off (doubling from `retry.initialMs` up to `retry.maxMs`), and one that asks to be called
 * again later (a back-off ending) is, on the injected clock.
 */
export class PodWorker {
  private running: Promise<void> | undefined;
  private again = false;
  private timer: ClockTimer | undefined;
  private timerDue = Infinity;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly sync: () => Promise<SyncResult>,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly retry: { initialMs: number; maxMs: number } = { initialMs: 500, maxMs: 10_000 },
  ) {}

  /** Asks for a sync now (or right after the running one). */
  enqueue(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop();
  }

  /** Asks for a sync at `due` (clock time), unless one is already due sooner. */
  enqueueAt(due: number): void {
    if (this.stopped) return;
    const ms = due - this.clock.now();
    if (ms <= 0) return this.enqueue();
    if (this.timer && this.timerDue <= due) return;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerDue = Infinity;
      this.enqueue();
    }, ms);
  }

  /** Resolves when no sync runs (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** No more syncs; waits for the running one. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.idle();
  }

  private async loop(): Promise<void> {
    // Nothing runs before `running` is set: a sync that makes a listener enqueue (an exit) must find it set.
    await Promise.resolve();
    try {
      do {
        this.again = false;
        let next: SyncResult;
        try {
          next = await this.sync();
          this.failures = 0;
        } catch (error) {
          const retryInMs = Math.min(this.retry.maxMs, this.retry.initialMs * 2 ** this.failures++);
          next = this.clock.now() + retryInMs;
          this.log.warn({ err: (error as Error).message, retryInMs }, 'pod sync failed');
        }
        if (next !== undefined) this.enqueueAt(next);
      } while (this.again && !this.stopped);
    } finally {
      this.running = undefined;
    }
  }
}
