/** An opaque timer handle, as a Clock hands it out. */
export type ClockTimer = { readonly id: number } | NodeJS.Timeout;

/**
 * Time, injected (k8s.io/utils/clock): the work queue's delays, the rate limiter's back-off and
 * leader election's lease arithmetic all read it, so tests drive them with a FakeClock and never
 * sleep.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number): ClockTimer;
  clearTimeout(timer: ClockTimer): void;
}

/** The wall clock and Node's timers. */
export const realClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimeout: (callback: () => void, ms: number) => setTimeout(callback, ms),
  clearTimeout: (timer: ClockTimer) => clearTimeout(timer as NodeJS.Timeout),
});

/** Waits `ms` on `clock`; resolves early (without error) when `signal` aborts. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clock.clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = clock.setTimeout(done, Math.max(0, ms));
    signal?.addEventListener('abort', done, { once: true });
  });
}

interface FakeTimer {
  id: number;
  due: number;
  callback: () => void;
}

/**
 * A clock that moves only when told (k8s.io/utils/clock/testing.FakeClock). `step` fires the
 * timers that fall due, in order; `advance` does the same but lets promise chains run between
 * timers, for code that awaits between two sleeps.
 */
export class FakeClock implements Clock {
  private timers: FakeTimer[] = [];
  private nextId = 1;

  constructor(private time = 0) {}

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): ClockTimer {
    const timer = { id: this.nextId++, due: this.time + Math.max(0, ms), callback };
    this.timers.push(timer);
    return { id: timer.id };
  }

  clearTimeout(handle: ClockTimer): void {
    const id = (handle as { id?: number }).id;
    this.timers = this.timers.filter((t) => t.id !== id);
  }

  /** How many timers wait to fire. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, synchronously. */
  step(ms: number): void {
    const target = this.time + ms;
    for (let timer = this.nextDue(target); timer; timer = this.nextDue(target)) this.fire(timer);
    this.time = target;
  }

  /** Like step, but settles pending promise callbacks before and after each timer. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await settle();
    for (let timer = this.nextDue(target); timer; timer = this.nextDue(target)) {
      this.fire(timer);
      await settle();
    }
    this.time = target;
    await settle();
  }

  private nextDue(target: number): FakeTimer | undefined {
    let next: FakeTimer | undefined;
    for (const t of this.timers) if (t.due <= target && (!next || t.due < next.due || (t.due === next.due && t.id < next.id))) next = t;
    return next;
  }

  private fire(timer: FakeTimer): void {
    this.timers = this.timers.filter((t) => t !== timer);
    this.time = Math.max(this.time, timer.due);
    timer.callback();
  }
}

/** Lets every queued promise callback (and the ones they queue) run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
