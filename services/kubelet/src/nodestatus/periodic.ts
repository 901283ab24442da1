import type { Clock } from '@kubelab/client';

/**
 * A sync run periodically, the period counted from the end of the previous run: `start` runs it
 * at once or after one period, then a period after each run ends, until `stop`. `signal` aborts
 * on stop(), for the sync's own retries to give up on.
 */
export class PeriodicSync {
  private readonly stopping = new AbortController();
  private timer: ReturnType<Clock['setTimeout']> | undefined;
  private running: Promise<void> | undefined;
  private started = false;

  constructor(
    private readonly clock: Clock,
    private readonly periodMs: number,
    private readonly sync: () => Promise<void>,
  ) {}

  /** Aborted once stop() is called. */
  get signal(): AbortSignal {
    return this.stopping.signal;
  }

  start(immediately: boolean): void {
    if (this.started || this.stopping.signal.aborted) return;
    this.started = true;
    const tick = () => {
      this.timer = undefined;
      this.running = this.sync().finally(() => {
        this.running = undefined;
        if (!this.stopping.signal.aborted) this.timer = this.clock.setTimeout(tick, this.periodMs);
      });
    };
    if (immediately) tick();
    else this.timer = this.clock.setTimeout(tick, this.periodMs);
  }

  stop(): void {
    this.stopping.abort();
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Resolves when a run in flight, if any, is over. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }
}
