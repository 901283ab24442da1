import type { KubeObject } from '@kubelab/client';

/** What this controller last did to one object: wrote this resourceVersion, or deleted it. */
type Written = { resourceVersion: number } | 'deleted';

/**
 * What a controller wrote that its informer may not have seen yet (k8s.io/endpointslice/util
 * EndpointSliceTracker, the endpoints controller's staleEndpointsTracker). A sync that reads a
 * cache older than its own last write would undo it, or create a second EndpointSlice; instead
 * it asks `isStale` and comes back later. Writes are grouped by the object they were made for
 * (a Service). resourceVersions compare as numbers: kubelab's are the store's revisions.
 */
export class StaleCacheTracker {
  /** owner key → object name → what was last written. */
  private readonly written = new Map<string, Map<string, Written>>();

  wrote(ownerKey: string, object: KubeObject): void {
    this.group(ownerKey).set(object.metadata.name!, { resourceVersion: Number(object.metadata.resourceVersion) });
  }

  deleted(ownerKey: string, object: KubeObject): void {
    this.group(ownerKey).set(object.metadata.name!, 'deleted');
  }

  /** The informer saw the object deleted: whatever we wrote before is history. */
  observedDeletion(ownerKey: string, object: KubeObject): void {
    const group = this.written.get(ownerKey);
    group?.delete(object.metadata.name!);
    if (group?.size === 0) this.written.delete(ownerKey);
  }

  /** Whether we wrote this very version (its informer event is our own echo). */
  isOwnWrite(ownerKey: string, object: KubeObject): boolean {
    const w = this.written.get(ownerKey)?.get(object.metadata.name!);
    return w !== undefined && w !== 'deleted' && w.resourceVersion === Number(object.metadata.resourceVersion);
  }

  /**
   * Whether `cached` (the cache's objects for this owner) misses something we wrote: an object
   * absent or older than our write, or one we deleted still there. What the cache has caught up
   * with is forgotten.
   */
  isStale(ownerKey: string, cached: KubeObject[]): boolean {
    const group = this.written.get(ownerKey);
    if (!group) return false;
    const byName = new Map(cached.map((o) => [o.metadata.name!, o]));
    let stale = false;
    for (const [name, w] of group) {
      const seen = byName.get(name);
      const caughtUp = w === 'deleted' ? !seen : seen !== undefined && Number(seen.metadata.resourceVersion) >= w.resourceVersion;
      if (caughtUp) group.delete(name);
      else stale = true;
    }
    if (group.size === 0) this.written.delete(ownerKey);
    return stale;
  }

  forget(ownerKey: string): void {
    this.written.delete(ownerKey);
  }

  private group(ownerKey: string): Map<string, Written> {
    let group = this.written.get(ownerKey);
    if (!group) this.written.set(ownerKey, (group = new Map()));
    return group;
  }
}
