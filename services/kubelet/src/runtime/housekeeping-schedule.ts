/** What one housekeeping tick does: measure every container, or check only the containers with limits. */
export type HousekeepingPass = 'full' | 'limits';

export interface HousekeepingScheduleOptions {
  /** --housekeeping-interval: every container is measured this often (stats, log pump fallback, exits). */
  intervalMs: number;
  /** Containers with a memory or CPU limit are checked this often (at most the interval). */
  limitCheckMs: number;
  run(pass: HousekeepingPass): void;
}

/**
 * When the runtime's housekeeping runs (cadvisor's housekeeping loop). A /proc scan costs in
 * proportion to the processes of the machine, so it runs as seldom as it can: every container
 * once per interval, and more often only while a container has a limit to enforce (a memory
 * limit is checked every `limitCheckMs`, as the kernel's would act at once; a CPU limit's
 * throttle wakes as soon as usage nears the limit). Without containers it does not run at all.
 */
export class HousekeepingSchedule {
  private timer: NodeJS.Timeout | undefined;
  private everyMs = 0;
  private lastFullAt = -Infinity;

  constructor(private readonly options: HousekeepingScheduleOptions) {}

  get running(): boolean {
    return this.timer !== undefined;
  }

  /** The tick in force (for tests): the interval, or the limit check's while a container has a limit. */
  get tickMs(): number {
    return this.everyMs;
  }

  /**
   * Arms, re-times or stops the timer for `running` containers of which `limited` have a limit.
   * Arming it from stopped runs a full pass at once (a new container is measured right away),
   * unless `measureNow` is false (the caller has just run one).
   */
  update(running: number, limited: number, options: { measureNow?: boolean } = {}): void {
    if (running === 0) return this.stop();
    const everyMs = limited > 0 ? this.options.limitCheckMs : this.options.intervalMs;
    if (this.timer && everyMs === this.everyMs) return;
    const first = this.timer === undefined;
    clearInterval(this.timer);
    this.everyMs = everyMs;
    this.timer = setInterval(() => this.tick(), everyMs);
    this.timer.unref();
    if (first && options.measureNow !== false) this.runPass('full');
  }

  /** A full pass was run from outside (adoption, a test): the next one is an interval away. */
  ranFull(): void {
    this.lastFullAt = performance.now();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.everyMs = 0;
  }

  private tick(): void {
    // Half a limit check of slack, so timer jitter does not push a full pass to the next tick.
    const due = performance.now() - this.lastFullAt >= this.options.intervalMs - this.options.limitCheckMs / 2;
    this.runPass(this.everyMs === this.options.intervalMs || due ? 'full' : 'limits');
  }

  private runPass(pass: HousekeepingPass): void {
    if (pass === 'full') this.lastFullAt = performance.now();
    this.options.run(pass);
  }
}
