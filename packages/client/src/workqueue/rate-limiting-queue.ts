import { realClock, type Clock } from '../clock';
import { DelayingQueue } from './delaying-queue';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter';

/**
 * The queue a controller owns (client-go RateLimitingInterface): a delaying queue whose
 * `addRateLimited` waits as long as the rate limiter says, so an item that keeps failing is
 * retried at 5 ms, 10 ms, 20 ms ... up to 1000 s. `forget` after a success resets its back-off;
 * it does not take the item off the queue.
 *
 *     const { item, shutdown } = await queue.get();   // the controller's worker loop
 *     try { await reconcile(item); queue.forget(item); }
 *     catch { queue.addRateLimited(item); }
 *     finally { queue.done(item); }
 */
export class RateLimitingQueue<T> extends DelayingQueue<T> {
  readonly rateLimiter: RateLimiter<T>;

  constructor(options: { rateLimiter?: RateLimiter<T>; clock?: Clock } = {}) {
    const clock = options.clock ?? realClock;
    super(clock);
    this.rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter<T>(clock);
  }

  /** Adds the item after the rate limiter's delay for it (one more failure counted). */
  addRateLimited(item: T): void {
    this.addAfter(item, this.rateLimiter.when(item));
  }

  /** The item succeeded: its next failure starts from the first delay again. */
  forget(item: T): void {
    this.rateLimiter.forget(item);
  }

  /** How many times the item has been rate-limited since it was last forgotten. */
  numRequeues(item: T): number {
    return this.rateLimiter.numRequeues(item);
  }
}
