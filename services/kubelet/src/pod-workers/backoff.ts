import type { Clock } from '@kubelab/client';

interface Entry {
  backoffMs: number;
  lastUpdate: number;
}

/**
 * Per-item exponential back-off on an injected clock (client-go's flowcontrol.Backoff), as the
 * kubelet keeps it for restarting crashed containers and for pulling images: the first back-off
 * is `initialMs`, each next one doubles up to `maxMs`, and an item that stayed quiet for twice
 * `maxMs` starts over.
 */
export class ItemBackoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly clock: Clock,
  ) {}

  /** The current back-off of an item (0 if it has none). */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /**
   * Records an event at `eventMs` and moves the item's back-off on (initial, or doubled). The
   * entry is stamped with now, not the event (Backoff.Next): a container that crashes is
   * restarted at now, so "quiet for twice the cap" means running that long since its restart.
   */
  next(key: string, eventMs = this.clock.now()): void {
    const entry = this.entries.get(key);
    const now = this.clock.now();
    if (!entry || this.hasExpired(eventMs, entry.lastUpdate)) {
      this.entries.set(key, { backoffMs: this.initialMs, lastUpdate: now });
      return;
    }
    entry.backoffMs = Math.min(entry.backoffMs * 2, this.maxMs);
    entry.lastUpdate = now;
  }

  /** Whether `now` is still within the item's back-off counted from `eventMs` (IsInBackOffSince). */
  isInBackOffSince(key: string, eventMs: number): boolean {
    const entry = this.entries.get(key);
    if (!entry || this.hasExpired(eventMs, entry.lastUpdate)) return false;
    return this.clock.now() - eventMs < entry.backoffMs;
  }

  /** Whether `now` is still within the item's back-off counted from its last update (IsInBackOffSinceUpdate). */
  isInBackOffSinceUpdate(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry || this.hasExpired(this.clock.now(), entry.lastUpdate)) return false;
    return this.clock.now() - entry.lastUpdate < entry.backoffMs;
  }

  /** When the item's current back-off counted from its last update ends (ms since the epoch). */
  expiresAt(key: string, fromMs?: number): number | undefined {
    const entry = this.entries.get(key);
    return entry ? (fromMs ?? entry.lastUpdate) + entry.backoffMs : undefined;
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  private hasExpired(eventMs: number, lastUpdate: number): boolean {
    return eventMs - lastUpdate > this.maxMs * 2;
  }
}
