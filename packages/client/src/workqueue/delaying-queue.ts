import { realClock, type Clock, type ClockTimer } from '../clock';
import { WorkQueue } from './queue';

/**
 * A work queue that can add an item later (client-go DelayingInterface): `addAfter` keeps the
 * item aside until its time, then adds it as `add` would, dedup included. An item waiting twice
 * keeps the earlier time. One timer on the injected clock, set for the earliest item.
 */
export class DelayingQueue<T> extends WorkQueue<T> {
  /** Items waiting for their time, with the time (clock ms) they become ready. */
  private readonly waiting = new Map<T, number>();
  private timer: ClockTimer | undefined;
  private timerDue = Infinity;

  constructor(protected readonly clock: Clock = realClock) {
    super();
  }

  addAfter(item: T, delayMs: number): void {
    if (this.shuttingDown()) return;
    if (delayMs <= 0) return this.add(item);
    const readyAt = this.clock.now() + delayMs;
    const existing = this.waiting.get(item);
    if (existing !== undefined && existing <= readyAt) return;
    this.waiting.set(item, readyAt);
    // Only this item changed, and only to an earlier time: no need to look at the others.
    this.armFor(readyAt);
  }

  /** How many items wait for their time (for tests and metrics). */
  waitingLen(): number {
    return this.waiting.size;
  }

  override shutDown(): void {
    super.shutDown();
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.waiting.clear();
  }

  /** Adds every item whose time has come, then sets the timer for the next. */
  private flush(): void {
    this.timer = undefined;
    this.timerDue = Infinity;
    const now = this.clock.now();
    const ready = [...this.waiting].filter(([, at]) => at <= now).sort((a, b) => a[1] - b[1]);
    for (const [item] of ready) {
      this.waiting.delete(item);
      this.add(item);
    }
    this.schedule();
  }

  /** Sets the timer for the earliest waiting item (after a flush, when the earliest is unknown). */
  private schedule(): void {
    let earliest = Infinity;
    for (const at of this.waiting.values()) earliest = Math.min(earliest, at);
    this.armFor(earliest);
  }

  /** Makes the one timer fire by `earliest`, unless it already fires sooner. */
  private armFor(earliest: number): void {
    if (earliest === Infinity || earliest >= this.timerDue) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timerDue = earliest;
    this.timer = this.clock.setTimeout(() => this.flush(), earliest - this.clock.now());
  }
}
