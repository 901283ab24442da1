/** What the throttle acts on: one container's processes. */
export interface ThrottleTarget {
  /** CPU time its processes have used so far, in nanoseconds (a precise counter: schedstat). */
  usageNs(): number;
  /** SIGSTOP / SIGCONT its processes. */
  stop(): void;
  cont(): void;
}

export interface CpuThrottleOptions {
  /** CFS's default period. */
  periodMs?: number;
  /** Periods in a row under half the quota before the throttle goes idle again. */
  quietPeriods?: number;
}

/**
 * A CPU limit, enforced the way CFS bandwidth control does it, from user space: time is cut into
 * 100 ms periods; in each the container may run `limit` millicores' worth (200m: 20 ms); once its
 * usage in the period reaches that quota its processes are SIGSTOPped, and SIGCONTinued at the
 * next period. The check is timed for the earliest moment the quota can run out, so a busy
 * container costs a few /proc reads per period; overshoot (timer lateness) is carried as debt into
 * the next periods, so the long-run average is the limit.
 *
 * The throttle is idle (costs nothing) until housekeeping sees the container use most of its
 * limit (observe); it goes idle again after a run of quiet periods.
 */
export class CpuThrottle {
  private readonly periodMs: number;
  private readonly quotaNs: number;
  private readonly quietLimit: number;
  private active = false;
  private stopped = false;
  private disposed = false;
  private debtNs = 0;
  private quiet = 0;
  private periodStartMs = 0;
  private periodStartNs = 0;
  private allowanceNs = 0;
  private periodTimer: NodeJS.Timeout | undefined;
  private checkTimer: NodeJS.Timeout | undefined;
  /** Periods in which the container was stopped (cadvisor's nr_throttled). */
  throttledPeriods = 0;

  constructor(
    readonly limitMillis: number,
    private readonly target: ThrottleTarget,
    options: CpuThrottleOptions = {},
  ) {
    this.periodMs = options.periodMs ?? 100;
    this.quotaNs = (limitMillis / 1000) * this.periodMs * 1e6;
    this.quietLimit = options.quietPeriods ?? 10;
  }

  get isActive(): boolean {
    return this.active;
  }

  /** Housekeeping measured `nanoCores` over its last interval: wakes the throttle when near the limit. */
  observe(nanoCores: number): void {
    if (this.active || this.disposed) return;
    if (nanoCores < this.limitMillis * 1e6 * 0.7) return;
    this.active = true;
    this.quiet = 0;
    this.debtNs = 0;
    this.periodStartMs = performance.now();
    this.periodStartNs = this.target.usageNs();
    this.beginPeriod(false);
  }

  /** Lets the container run freely again and stops the timers (its exit, a stop, the kubelet closing). */
  dispose(): void {
    this.disposed = true;
    this.idle();
  }

  private idle(): void {
    this.active = false;
    clearTimeout(this.periodTimer);
    clearTimeout(this.checkTimer);
    if (this.stopped) {
      this.stopped = false;
      this.target.cont();
    }
  }

  private beginPeriod(closePrevious: boolean): void {
    if (this.disposed || !this.active) return;
    const usage = this.target.usageNs();
    if (closePrevious) {
      const used = usage - this.periodStartNs;
      this.debtNs = Math.max(0, this.debtNs + used - this.quotaNs);
      this.quiet = used < this.quotaNs / 2 ? this.quiet + 1 : 0;
      if (this.quiet >= this.quietLimit) return this.idle();
      this.periodStartMs += this.periodMs;
    }
    this.periodStartNs = usage;
    this.allowanceNs = this.quotaNs - this.debtNs;
    if (this.allowanceNs <= 0) {
      this.setStopped(true);
    } else {
      this.setStopped(false);
      this.scheduleCheck(this.allowanceNs / 1e6);
    }
    const now = performance.now();
    if (now - this.periodStartMs > this.periodMs) this.periodStartMs = now; // fell behind (a busy kubelet): restart the grid
    const t = setTimeout(() => this.beginPeriod(true), Math.max(1, this.periodStartMs + this.periodMs - now));
    t.unref();
    this.periodTimer = t;
  }

  private scheduleCheck(inMs: number): void {
    clearTimeout(this.checkTimer);
    const left = this.periodStartMs + this.periodMs - performance.now();
    if (inMs >= left) return;
    const t = setTimeout(() => this.check(), Math.max(1, inMs));
    t.unref();
    this.checkTimer = t;
  }

  private check(): void {
    if (this.disposed || !this.active || this.stopped) return;
    const used = this.target.usageNs() - this.periodStartNs;
    const remainingNs = this.allowanceNs - used;
    if (remainingNs <= 0) {
      this.setStopped(true);
      this.throttledPeriods++;
    } else {
      this.scheduleCheck(remainingNs / 1e6);
    }
  }

  private setStopped(stopped: boolean): void {
    if (stopped === this.stopped) return;
    this.stopped = stopped;
    if (stopped) this.target.stop();
    else this.target.cont();
  }
}
