import type { Clock } from '@kubelab/client';

/**
 * A token bucket (flowcontrol.NewTokenBucketRateLimiter, as golang.org/x/time/rate): `qps`
 * tokens a second up to `burst`, starting full. A qps of 0 never lets anything through.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly qps: number,
    private readonly burst: number,
    private readonly clock: Clock,
  ) {
    this.tokens = qps > 0 ? burst : 0;
    this.last = clock.now();
  }

  tryAccept(): boolean {
    if (this.qps <= 0) return false;
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** scheduler.EvictionRateLimiterBurst: one node at a time. */
const EVICTION_RATE_LIMITER_BURST = 1;

interface TimedValue {
  value: string;
  uid: string;
  processAt: number;
}

/**
 * The nodes of one zone waiting for their NoExecute taint (RateLimitedTimedQueue): tainting is
 * rate limited per zone, so a zone that loses many nodes at once does not evict everything at
 * once. A node stays known to the queue after it is tainted, until `remove` (it became Ready),
 * so it is not tainted twice for one outage.
 */
export class RateLimitedTimedQueue {
  private queue: TimedValue[] = [];
  private readonly known = new Set<string>();
  private limiter: TokenBucket;

  constructor(
    private readonly clock: Clock,
    qps: number,
  ) {
    this.limiter = new TokenBucket(qps, EVICTION_RATE_LIMITER_BURST, clock);
  }

  get qps(): number {
    return this.limiter.qps;
  }

  /** Queues a node; false when it is already known (queued, or tainted and not removed since). */
  add(value: string, uid: string): boolean {
    if (this.known.has(value)) return false;
    this.known.add(value);
    this.queue.push({ value, uid, processAt: this.clock.now() });
    return true;
  }

  /** Forgets a node, queued or done; true if it was known. */
  remove(value: string): boolean {
    this.queue = this.queue.filter((v) => v.value !== value);
    return this.known.delete(value);
  }

  /**
   * Hands queued nodes to `fn` in order while the rate limiter allows (Try): one that succeeds
   * leaves the queue; one that fails is tried again after `retryAfterMs`.
   */
  async try(fn: (value: TimedValue) => Promise<{ ok: boolean; retryAfterMs: number }>): Promise<void> {
    for (let head = this.head(); head; head = this.head()) {
      if (!this.limiter.tryAccept()) return;
      const now = this.clock.now();
      if (now < head.processAt) return;
      const { ok, retryAfterMs } = await fn(head);
      if (ok) this.queue = this.queue.filter((v) => v !== head);
      else head.processAt = now + retryAfterMs + 1;
    }
  }

  /** Changes the rate (SwapLimiter); a limiter that had no token left hands that debt on. */
  swapLimiter(qps: number): void {
    if (this.limiter.qps === qps) return;
    const next = new TokenBucket(qps, EVICTION_RATE_LIMITER_BURST, this.clock);
    if (qps > 0 && !this.limiter.tryAccept()) next.tryAccept();
    this.limiter = next;
  }

  private head(): TimedValue | undefined {
    let first: TimedValue | undefined;
    for (const v of this.queue) if (!first || v.processAt < first.processAt) first = v;
    return first;
  }
}
