import { metaNamespaceKey, RateLimitingQueue, type Informer, type KubeObject, type RateLimiter } from '@kubelab/client';
import type { Logger } from '@kubelab/component-base';
import type { Controller, ControllerContext } from './context';

export interface QueueControllerOptions {
  /**
   * Kubernetes' default of the controller's --concurrent-*-syncs flag: it runs that many workers
   * unless the controller-manager's --concurrent-syncs (ctx.concurrentSyncs) says otherwise. A
   * controller without such a flag in Kubernetes leaves it out and runs one worker, whatever the flag.
   */
  concurrentSyncs?: number;
  /** How a key whose reconcile threw is retried; client-go's DefaultControllerRateLimiter if not given. */
  rateLimiter?: RateLimiter<string>;
}

/**
 * The shape every controller has (Kubernetes' controller pattern): informers tell it which keys
 * changed, a rate-limited queue holds the keys (each key at most once, never processed by two
 * workers at a time), and `reconcile(key)` makes the world match the object under that key,
 * reading from the informers' caches. A reconcile that throws is retried with back-off (the
 * controller's rate limiter: 5 ms doubling to 1000 s unless it has its own); one that returns is
 * forgotten.
 */
export abstract class QueueController implements Controller {
  protected readonly queue: RateLimitingQueue<string>;
  protected readonly log: Logger;
  /** Keys reconciled at once. */
  readonly workers: number;

  constructor(
    readonly name: string,
    protected readonly ctx: ControllerContext,
    options: QueueControllerOptions = {},
  ) {
    this.queue = new RateLimitingQueue<string>({ clock: ctx.clock, rateLimiter: options.rateLimiter });
    this.log = ctx.log.child({ controller: name });
    this.workers = options.concurrentSyncs === undefined ? 1 : (ctx.concurrentSyncs ?? options.concurrentSyncs);
  }

  /** Makes the world match the object named by `key` ("namespace/name", or "name"). */
  abstract reconcile(key: string): Promise<void>;

  /** The informers whose caches must be filled before the first reconcile. */
  protected abstract informers(): Informer<KubeObject>[];

  /** Queues an object's key (or a key). */
  enqueue(objectOrKey: KubeObject | string): void {
    this.queue.add(typeof objectOrKey === 'string' ? objectOrKey : metaNamespaceKey(objectOrKey));
  }

  enqueueAfter(objectOrKey: KubeObject | string, delayMs: number): void {
    this.queue.addAfter(typeof objectOrKey === 'string' ? objectOrKey : metaNamespaceKey(objectOrKey), delayMs);
  }

  async run(signal: AbortSignal): Promise<void> {
    const stop = () => this.queue.shutDown();
    signal.addEventListener('abort', stop, { once: true });
    this.log.info({ workers: this.workers }, 'starting');
    try {
      await Promise.all(this.informers().map((informer) => informer.waitForSync(24 * 3600_000)));
      if (signal.aborted) return;
      this.log.info('caches synced');
      await Promise.all(Array.from({ length: this.workers }, () => this.worker()));
    } finally {
      signal.removeEventListener('abort', stop);
      this.log.info('stopped');
    }
  }

  /** Processes one key; exposed for tests that drive a controller step by step. */
  async processNextItem(): Promise<boolean> {
    const { item: key, shutdown } = await this.queue.get();
    if (shutdown) return false;
    try {
      await this.reconcile(key);
      this.queue.forget(key);
    } catch (error) {
      this.log.warn({ key, err: (error as Error).message, retries: this.queue.numRequeues(key) }, 'reconcile failed; retrying');
      this.queue.addRateLimited(key);
    } finally {
      this.queue.done(key);
    }
    return true;
  }

  private async worker(): Promise<void> {
    while (await this.processNextItem()) {
      // next key
    }
  }
}
