import { LruMap } from './lru-map';

/**
 * A token bucket that never waits (flowcontrol's passive token bucket): `burst` tokens to begin
 * with, refilled at `qps` per second up to `burst`; tryAccept takes one if there is one.
 */
class PassiveTokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly qps: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  tryAccept(now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + (Math.max(0, now - this.last) / 1000) * this.qps);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * client-go's EventSourceObjectSpamFilter: each source (component and host) may write 25 events
 * about one object at once, then one every 5 minutes; the rest are skipped. The key leaves out
 * reason and message, so a ReplicaSet creating 100 pods writes 25 of its SuccessfulCreate events
 * (the folded count goes on counting the others, and shows them on the next write that passes).
 */
export class EventSourceObjectSpamFilter {
  private readonly buckets: LruMap<string, PassiveTokenBucket>;

  constructor(
    private readonly now: () => number,
    cacheSize: number,
    private readonly burst = 25,
    private readonly qps = 1 / 300,
  ) {
    this.buckets = new LruMap(cacheSize);
  }

  /** Whether an event under `spamKey` is to be skipped. */
  filter(spamKey: string): boolean {
    const now = this.now();
    let bucket = this.buckets.get(spamKey);
    if (!bucket) this.buckets.set(spamKey, (bucket = new PassiveTokenBucket(this.qps, this.burst, now)));
    return !bucket.tryAccept(now);
  }
}
