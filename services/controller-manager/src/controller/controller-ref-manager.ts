import { isNotFound, type GroupVersionResource, type KubeObject, type ObjectsClient } from '@kubelab/client';
import type { LabelSelector, OwnerReference } from '@kubelab/apimachinery';
import { controllerOf } from './controller-ref';

/**
 * Kubernetes' ControllerRefManager (pkg/controller/controller_ref_manager.go): which of the
 * objects in a namespace a controller owns. An object it controls stays its own while the
 * selector matches and is released when it no longer does; an orphan that matches is adopted
 * (its ownerReferences patched), unless the controller or the object is being deleted; an
 * object another controller controls is left alone.
 */
export class ControllerRefManager {
  private adoptionChecked: Promise<void> | undefined;

  constructor(
    private readonly client: ObjectsClient,
    private readonly controller: KubeObject,
    private readonly controllerRef: OwnerReference,
    private readonly selector: LabelSelector,
    /**
     * Called once before the first adoption: Kubernetes re-reads the controller from the
     * apiserver (RecheckDeletionTimestamp), as the cache may not show it is being deleted yet.
     */
    private readonly canAdopt: () => Promise<void>,
  ) {}

  /** The objects the controller owns after adopting and releasing (ClaimPods / ClaimControllerRevisions); throws the first write error after trying all. */
  async claim<T extends KubeObject>(resource: GroupVersionResource, objects: readonly T[], ...filters: Array<(object: T) => boolean>): Promise<T[]> {
    const match = (object: T) => this.selector.matches(object.metadata.labels ?? {}) && filters.every((f) => f(object));
    const claimed: T[] = [];
    const errors: unknown[] = [];
    for (const object of objects) {
      try {
        if (await this.claimObject(resource, object, match)) claimed.push(object);
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length) throw errors[0];
    return claimed;
  }

  private async claimObject<T extends KubeObject>(resource: GroupVersionResource, object: T, match: (object: T) => boolean): Promise<boolean> {
    const ref = controllerOf(object);
    if (ref) {
      if (ref.uid !== this.controller.metadata.uid) return false;
      // Ours and still selected: no write, even while the controller is being deleted.
      if (match(object)) return true;
      if (this.controller.metadata.deletionTimestamp) return false;
      await this.ignoringNotFound(this.release(resource, object));
      return false;
    }
    if (this.controller.metadata.deletionTimestamp || !match(object) || object.metadata.deletionTimestamp) return false;
    if (this.controller.metadata.namespace && this.controller.metadata.namespace !== object.metadata.namespace) return false;
    this.adoptionChecked ??= this.canAdopt();
    await this.adoptionChecked;
    return this.ignoringNotFound(this.adopt(resource, object));
  }

  /** The adoption patch: our controller reference, guarded by the object's uid (a recreated object is another object). */
  private async adopt(resource: GroupVersionResource, object: KubeObject): Promise<boolean> {
    await this.client.patch(resource, object.metadata.namespace, object.metadata.name!, 'application/strategic-merge-patch+json', {
      metadata: { ownerReferences: [this.controllerRef], uid: object.metadata.uid },
    });
    return true;
  }

  private async release(resource: GroupVersionResource, object: KubeObject): Promise<boolean> {
    await this.client.patch(resource, object.metadata.namespace, object.metadata.name!, 'application/strategic-merge-patch+json', {
      metadata: { ownerReferences: [{ $patch: 'delete', uid: this.controller.metadata.uid }], uid: object.metadata.uid },
    });
    return false;
  }

  /** An object deleted meanwhile is simply not ours. */
  private async ignoringNotFound(write: Promise<boolean>): Promise<boolean> {
    try {
      return await write;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }
}

/**
 * controller.RecheckDeletionTimestamp: a fresh read of the controller; adoption is refused when
 * it is gone, was replaced (another uid), or is being deleted.
 */
export function recheckDeletionTimestamp(client: ObjectsClient, resource: GroupVersionResource, controller: KubeObject): () => Promise<void> {
  return async () => {
    const { namespace, name, uid } = controller.metadata;
    const fresh = await client.get(resource, namespace, name!);
    if (fresh.metadata.uid !== uid) throw new Error(`original ${controller.kind ?? resource.resource} ${namespace}/${name} is gone: got uid ${fresh.metadata.uid}, wanted ${uid}`);
    if (fresh.metadata.deletionTimestamp) throw new Error(`${namespace}/${name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
  };
}
