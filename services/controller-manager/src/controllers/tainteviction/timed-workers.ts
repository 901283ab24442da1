import type { Clock, ClockTimer } from '@kubelab/client';

/** A pod's scheduled eviction (TimedWorker). */
export interface TimedWorker {
  createdAt: number;
  fireAt: number;
  timer?: ClockTimer;
  /** The eviction went through; kept so the same outage does not evict twice (Kubernetes keeps a nil worker). */
  done: boolean;
  /**
   * The timer went off. That, not the clock, says the work is due: a Node.js timer can fire a few
   * milliseconds before `Date.now()` reaches `fireAt` (it counts from the event loop's cached time),
   * and work judged "not yet" then would never be looked at again.
   */
  fired: boolean;
}

/**
 * Evictions waiting for their time, by pod key (TimedWorkerQueue): when one falls due, `fire(key)`
 * is called (the controller queues the pod and evicts it in its reconcile). Time is the injected
 * clock's, so tests move it by hand.
 */
export class TimedWorkerQueue {
  private readonly workers = new Map<string, TimedWorker>();

  constructor(
    private readonly clock: Clock,
    private readonly fire: (key: string) => void,
  ) {}

  /** Schedules work at `fireAt`; work already known under the key (waiting or done) is kept as it is. */
  addWork(key: string, createdAt: number, fireAt: number): void {
    if (this.workers.has(key)) return;
    const worker: TimedWorker = { createdAt, fireAt, done: false, fired: false };
    const delay = fireAt - this.clock.now();
    if (delay > 0)
      worker.timer = this.clock.setTimeout(() => {
        worker.fired = true;
        this.fire(key);
      }, delay);
    this.workers.set(key, worker);
  }

  /** Forgets the work under a key; true if it was still waiting (not yet done), the case worth an event. */
  cancelWork(key: string): boolean {
    const worker = this.workers.get(key);
    if (!worker) return false;
    if (worker.timer) this.clock.clearTimeout(worker.timer);
    this.workers.delete(key);
    return !worker.done;
  }

  /** Work waiting under a key (done work is not reported, as Kubernetes' nil worker). */
  getWorker(key: string): TimedWorker | undefined {
    const worker = this.workers.get(key);
    return worker && !worker.done ? worker : undefined;
  }

  /** Whether work waiting under the key is due: its timer went off, or its time has come. */
  isDue(key: string, now: number): boolean {
    const worker = this.getWorker(key);
    return worker !== undefined && (worker.fired || worker.fireAt <= now);
  }

  markDone(key: string): void {
    const worker = this.workers.get(key);
    if (worker) worker.done = true;
  }

  /** Stops every timer (when the controller stops leading). */
  cancelAll(): void {
    for (const worker of this.workers.values()) if (worker.timer) this.clock.clearTimeout(worker.timer);
    this.workers.clear();
  }
}
