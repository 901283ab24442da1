import { realClock, sleep, type Clock } from './clock';
import type { LeaderElectionRecord, ResourceLock } from './lease-lock';
import { silentLogger, type ClientLogger } from './types';

export interface LeaderCallbacks {
  /** This candidate leads; `signal` aborts when it stops leading. Do the real work here. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** This candidate led and no longer does (lost the lease, or stopped). */
  onStoppedLeading(): void;
  /** Someone (maybe this candidate) was seen taking the lease. */
  onNewLeader?(identity: string): void;
}

export interface LeaderElectionConfig {
  lock: ResourceLock;
  /** How long others wait, after the last renewal they saw, before taking over (Kubernetes: 15 s). */
  leaseDurationMs?: number;
  /** How long the leader keeps trying to renew before it gives up leading (Kubernetes: 10 s). */
  renewDeadlineMs?: number;
  /** How often candidates try to acquire and the leader renews (Kubernetes: 2 s). */
  retryPeriodMs?: number;
  /** On stop, the leader empties the Lease so another takes over at once, not after leaseDuration. */
  releaseOnCancel?: boolean;
  callbacks: LeaderCallbacks;
  clock?: Clock;
  log?: ClientLogger;
  /** Random numbers in [0, 1) for the retry jitter (injected in tests). */
  random?: () => number;
}

/** client-go's JitterFactor: a candidate waits retryPeriod × (1 + up to 1.2) between tries. */
const JITTER_FACTOR = 1.2;

/**
 * Leader election on a Lease (client-go tools/leaderelection): candidates try every retryPeriod
 * to write themselves into the Lease; the write succeeds only if the Lease is free or its holder
 * has not renewed for leaseDuration — measured on this candidate's own clock from when it last
 * saw the record change, so clocks need not agree. The leader renews every retryPeriod and
 * steps down if it cannot renew within renewDeadline, which is shorter than leaseDuration so it
 * stops before anyone else may start.
 */
export class LeaderElector {
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly clock: Clock;
  private readonly log: ClientLogger;
  private readonly random: () => number;
  /** The record as last read or written, and when (on our clock) it last changed. */
  private observedRecord: LeaderElectionRecord | undefined;
  private observedRaw = '';
  private observedTime = 0;
  private reportedLeader = '';
  private leading = false;

  constructor(private readonly config: LeaderElectionConfig) {
    this.leaseDurationMs = config.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = config.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = config.retryPeriodMs ?? 2_000;
    if (this.leaseDurationMs <= this.renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.renewDeadlineMs <= JITTER_FACTOR * this.retryPeriodMs) throw new Error('renewDeadline must be greater than retryPeriod*JitterFactor');
    if (this.retryPeriodMs < 1) throw new Error('retryPeriod must be greater than zero');
    this.clock = config.clock ?? realClock;
    this.log = config.log ?? silentLogger;
    this.random = config.random ?? Math.random;
  }

  /** Whether this candidate leads now (between onStartedLeading and onStoppedLeading). */
  isLeader(): boolean {
    return this.leading;
  }

  /** The holder last observed ('' when none). */
  getLeader(): string {
    return this.observedRecord?.holderIdentity ?? '';
  }

  /**
   * Campaigns until leading, leads until the lease is lost or `signal` aborts, then returns.
   * Like client-go, a lost lease is not campaigned for again: the caller decides (kube-scheduler
   * exits and lets its supervisor restart it).
   */
  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.acquire(signal))) return;
    this.leading = true;
    const leading = new AbortController();
    const stopLeading = () => leading.abort();
    signal.addEventListener('abort', stopLeading, { once: true });
    // Stopped while the Lease was being taken: the listener above came too late to hear it.
    if (signal.aborted) leading.abort();
    this.log.info({ lease: this.config.lock.describe(), identity: this.config.lock.identity }, 'became leader');
    Promise.resolve()
      .then(() => this.config.callbacks.onStartedLeading(leading.signal))
      .catch((error: Error) => this.log.error({ err: error.message }, 'onStartedLeading failed'));
    try {
      await this.renew(leading.signal);
    } finally {
      signal.removeEventListener('abort', stopLeading);
      leading.abort();
      if (signal.aborted && this.config.releaseOnCancel) await this.release();
      this.leading = false;
      this.log.info({ lease: this.config.lock.describe(), identity: this.config.lock.identity, stopped: signal.aborted }, 'stopped leading');
      this.config.callbacks.onStoppedLeading();
    }
  }

  /** Tries every retryPeriod (with jitter) until it holds the lease; false if stopped first. */
  private async acquire(signal: AbortSignal): Promise<boolean> {
    this.log.info({ lease: this.config.lock.describe(), identity: this.config.lock.identity }, 'attempting to acquire leader lease');
    while (!signal.aborted) {
      const acquired = await this.tryAcquireOrRenew();
      this.maybeReportTransition();
      if (acquired) return true;
      await sleep(this.clock, this.retryPeriodMs * (1 + this.random() * JITTER_FACTOR), signal);
    }
    return false;
  }

  /** Renews every retryPeriod; returns when a renewal could not be made within renewDeadline, or when stopped. */
  private async renew(signal: AbortSignal): Promise<void> {
    let lastRenew = this.clock.now();
    while (!signal.aborted) {
      await sleep(this.clock, this.retryPeriodMs, signal);
      if (signal.aborted) return;
      const renewed = await this.tryAcquireOrRenew(Math.max(1, lastRenew + this.renewDeadlineMs - this.clock.now()));
      this.maybeReportTransition();
      if (renewed) lastRenew = this.clock.now();
      else if (this.clock.now() - lastRenew >= this.renewDeadlineMs) {
        this.log.warn({ lease: this.config.lock.describe(), identity: this.config.lock.identity }, 'failed to renew lease: leadership lost');
        return;
      }
    }
  }

  /** One attempt (client-go tryAcquireOrRenew): true if this candidate holds the lease after it. */
  private async tryAcquireOrRenew(timeoutMs = this.renewDeadlineMs): Promise<boolean> {
    const lock = this.config.lock;
    const now = this.clock.now();
    const desired: LeaderElectionRecord = { holderIdentity: lock.identity, leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000), acquireTime: now, renewTime: now, leaseTransitions: 0 };
    try {
      const current = await lock.get(timeoutMs);
      if (!current) {
        this.observe(desired, await lock.create(desired, timeoutMs));
        return true;
      }
      if (current.raw !== this.observedRaw) this.observe(current.record, current.raw);
      const old = current.record;
      const heldByOther = old.holderIdentity !== '' && old.holderIdentity !== lock.identity;
      if (heldByOther && this.observedTime + old.leaseDurationSeconds * 1000 > this.clock.now()) return false;
      if (old.holderIdentity === lock.identity) {
        desired.acquireTime = old.acquireTime;
        desired.leaseTransitions = old.leaseTransitions;
      } else {
        desired.leaseTransitions = old.leaseTransitions + 1;
      }
      this.observe(desired, await lock.update(desired, timeoutMs));
      return true;
    } catch (error) {
      this.log.debug({ lease: lock.describe(), err: (error as Error).message }, 'lease attempt failed');
      return false;
    }
  }

  /** The leader lets go: holder '' so the next candidate need not wait for the lease to expire. */
  private async release(): Promise<void> {
    if (this.observedRecord?.holderIdentity !== this.config.lock.identity) return;
    const now = this.clock.now();
    const released: LeaderElectionRecord = { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: this.observedRecord.leaseTransitions };
    try {
      await this.config.lock.update(released, this.renewDeadlineMs);
      this.observe(released, JSON.stringify(released));
    } catch (error) {
      this.log.warn({ lease: this.config.lock.describe(), err: (error as Error).message }, 'failed to release lease');
    }
  }

  private observe(record: LeaderElectionRecord, raw: string): void {
    this.observedRecord = record;
    this.observedRaw = raw;
    this.observedTime = this.clock.now();
  }

  private maybeReportTransition(): void {
    const holder = this.getLeader();
    if (holder === this.reportedLeader) return;
    this.reportedLeader = holder;
    if (holder) this.config.callbacks.onNewLeader?.(holder);
  }
}
