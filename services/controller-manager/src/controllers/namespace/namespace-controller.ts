import { ItemExponentialFailureRateLimiter, Resources, type Informer, type KubeObject } from '@kubelab/client';
import type { ControllerContext } from '../../controller/context';
import { QueueController } from '../../controller/queue-controller';
import { NamespacedResourcesDeleter, ResourcesRemainingError } from './namespaced-resources-deleter';

/** kube-controller-manager's --concurrent-namespace-syncs default. */
const CONCURRENT_SYNCS = 10;
/** A failed sync is retried after 5 ms, doubling to 60 s (nsControllerRateLimiterBaseDelay, nsControllerRateLimiterMaxDelay). */
const RATE_LIMITER_BASE_DELAY_MS = 5;
const RATE_LIMITER_MAX_DELAY_MS = 60_000;
/**
 * How long a namespace's deletion waits before it is acted on (namespaceDeletionGracePeriod), so
 * that creates racing the deletion have landed and are deleted too.
 */
export const NAMESPACE_DELETION_GRACE_PERIOD_MS = 5_000;

/**
 * The namespace controller (pkg/controller/namespace): a namespace being deleted is emptied of
 * every namespaced object, then let go (its `kubernetes` finalizer removed), and the apiserver
 * deletes it. While content remains the namespace stays Terminating, its conditions say what is
 * left, and it is looked at again when the slowest of it should be gone. Keys are namespace names.
 */
export class NamespaceController extends QueueController {
  private readonly namespaceInformer: Informer<KubeObject>;
  private readonly deleter: NamespacedResourcesDeleter;

  constructor(ctx: ControllerContext) {
    super('namespace-controller', ctx, { concurrentSyncs: CONCURRENT_SYNCS, rateLimiter: new ItemExponentialFailureRateLimiter<string>(RATE_LIMITER_BASE_DELAY_MS, RATE_LIMITER_MAX_DELAY_MS) });
    this.namespaceInformer = ctx.informers.informer(Resources.namespaces);
    this.deleter = new NamespacedResourcesDeleter(ctx.client, ctx.clock, this.log);
    this.namespaceInformer.addEventHandler({
      onAdd: (ns) => this.namespaceChanged(ns),
      onUpdate: (_, ns) => this.namespaceChanged(ns),
    });
  }

  protected informers(): Informer<KubeObject>[] {
    return [this.namespaceInformer];
  }

  /** syncNamespaceFromKey. Content still going away brings the key back after half its estimate (plus a second), not after the error back-off. */
  async reconcile(name: string): Promise<void> {
    if (!this.namespaceInformer.indexer.getByKey(name)) return;
    try {
      await this.deleter.delete(name);
    } catch (error) {
      if (!(error instanceof ResourcesRemainingError)) throw error;
      const waitSeconds = Math.floor(error.estimateSeconds / 2) + 1;
      this.log.debug({ namespace: name, waitSeconds }, 'content remaining in namespace');
      this.enqueueAfter(name, waitSeconds * 1000);
    }
  }

  /** Only namespaces being deleted concern this controller. */
  private namespaceChanged(ns: KubeObject): void {
    if (ns.metadata.deletionTimestamp) this.enqueueAfter(ns.metadata.name!, NAMESPACE_DELETION_GRACE_PERIOD_MS);
  }
}
