interface Entry {
  backoffMs: number;
  lastUpdate: number;
}

/**
 * The back-off between deletions of failed daemon pods on one node (flowcontrol.Backoff, as
 * kube-controller-manager builds it: 1 s doubling to 15 min). A kubelet that keeps rejecting a
 * daemon pod would otherwise have the controller delete and recreate it in a hot loop. An entry
 * untouched for twice the maximum is forgotten.
 */
export class FailedPodsBackoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly initialMs = 1_000,
    private readonly maxMs = 15 * 60_000,
  ) {}

  /** Whether `key` was bumped less than its current back-off ago (IsInBackOffSinceUpdate). */
  isInBackOffSinceUpdate(key: string, now: number): boolean {
    const entry = this.entries.get(key);
    if (!entry || this.expired(entry, now)) return false;
    return now - entry.lastUpdate < entry.backoffMs;
  }

  /** The current back-off of `key`, 0 if none. */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /** Starts or doubles the back-off of `key` (Next); forgets expired entries on the way. */
  next(key: string, now: number): void {
    for (const [k, e] of this.entries) if (this.expired(e, now)) this.entries.delete(k);
    const entry = this.entries.get(key);
    const backoffMs = entry ? Math.min(entry.backoffMs * 2, this.maxMs) : this.initialMs;
    this.entries.set(key, { backoffMs, lastUpdate: now });
  }

  private expired(entry: Entry, now: number): boolean {
    return now - entry.lastUpdate > 2 * this.maxMs;
  }
}
