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
    if (signal.aborted) stop();
    signal.addEventListener('abort', stop, { once: true });
    this.log.info({ workers: this.workers }, 'starting');
    try {
      await Promise.all(this.informers().map((informer) => informer.waitForSync(24 * 3600_000)));
      if (signal.aborted) return;
      this.log.info('caches synced');
      await Promise.all(Array.from({ length: this.workers }, () => this.worker(signal)));
    } finally {
      signal.removeEventListener('abort', stop);
      this.log.info('stopped');
    }
  }

  /**
   * Processes one key; exposed for tests that drive a controller step by step. Once `signal` has
   * aborted (the term is over: the Lease was lost, or the process stops) no key is taken any
   * more, even those queued before: kube-controller-manager exits when it loses the Lease, and
   * kubelab's, which campaigns again in the same process, must not go on writing while another
   * replica leads. A key that was being reconciled then is not retried either (the queue is shut
   * down, and the next term starts from fresh caches and a fresh queue).
   */
  async processNextItem(signal?: AbortSignal): Promise<boolean> {
    const { item: key, shutdown } = await this.queue.get();
    if (shutdown) return false;
    if (signal?.aborted || this.queue.shuttingDown()) {
      this.queue.done(key);
      return false;
    }
    try {
      await this.reconcile(key);
      this.queue.forget(key);
    } catch (error) {
      if (signal?.aborted || this.queue.shuttingDown()) {
        this.log.info({ key, err: (error as Error).message }, 'reconcile failed after the controller stopped; not retried');
        return false;
      }
      this.log.warn({ key, err: (error as Error).message, retries: this.queue.numRequeues(key) }, 'reconcile failed; retrying');
      this.queue.addRateLimited(key);
    } finally {
      this.queue.done(key);
    }
    return true;
  }

  private async worker(signal: AbortSignal): Promise<void> {
    while (await this.processNextItem(signal)) {
      // next key
    }
  }
}
