import type { GroupVersionResource } from '@kubelab/client';
import { waitFor } from '@kubelab/component-base';
import type { TestEnv } from './testing';

/**
 * Waits until the shared informers of `resources` hold exactly what the fake apiserver holds, at
 * the same resourceVersions: a controller's writes (and a test's) reach its caches through the
 * watch, asynchronously, so a test waits for this before the next reconcile instead of sleeping.
 */
export async function cachesCaughtUp(env: TestEnv, ...resources: GroupVersionResource[]): Promise<void> {
  await waitFor(
    () =>
      resources.every((gvr) => {
        const stored = env.objects(`${gvr.group}/${gvr.resource}`);
        const cache = env.ctx.informers.informer(gvr).indexer;
        return cache.size === stored.length && stored.every((o) => cache.get(o.metadata.namespace, o.metadata.name!)?.metadata.resourceVersion === o.metadata.resourceVersion);
      }) || undefined,
    { timeoutMs: 5_000, intervalMs: 5, what: `caches of ${resources.map((r) => r.resource).join(', ')} to catch up` },
  );
}
