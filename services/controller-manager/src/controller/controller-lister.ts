import { NAMESPACE_INDEX, type Indexer, type KubeObject } from '@kubelab/client';
import { labelSelectorAsSelector, type LabelSelectorObject, type OwnerReference } from '@kubelab/apimachinery';
import { controllerOf, resolveControllerRef } from './controller-ref';

/**
 * The workload controllers of one kind (Deployments, ReplicaSets, DaemonSets, StatefulSets) as
 * their event handlers look them up in the informer cache, to know which of them a change of a
 * pod (a ReplicaSet, a ControllerRevision) concerns: the one its controllerRef names, or, for an
 * orphan, every one whose selector picks it up, since one of them may adopt it.
 */
export class ControllerLister<T extends KubeObject> {
  constructor(
    private readonly indexer: Indexer<T>,
    private readonly kind: string,
  ) {}

  /** resolveControllerRef: the controller `ref` names, if the cache has it under that uid. */
  resolveControllerRef(namespace: string | undefined, ref: OwnerReference | undefined): T | undefined {
    return resolveControllerRef(ref, this.kind, (name) => this.indexer.get(namespace, name));
  }

  /** The controller of `object`, its controllerRef resolved. */
  controllerOf(object: KubeObject): T | undefined {
    return this.resolveControllerRef(object.metadata.namespace, controllerOf(object));
  }

  /**
   * GetPodReplicaSets (GetPodDaemonSets, GetPodStatefulSets, GetDeploymentsForReplicaSet): the
   * controllers of the object's namespace whose selector is valid, not empty, and matches its
   * labels. An object without labels has none (as Kubernetes' listers answer).
   */
  selecting(object: KubeObject): T[] {
    const labels = object.metadata.labels ?? {};
    if (!Object.keys(labels).length) return [];
    return this.indexer.byIndex(NAMESPACE_INDEX, object.metadata.namespace ?? '').filter((controller) => {
      try {
        const selector = labelSelectorAsSelector(controller.spec?.selector as LabelSelectorObject);
        return !selector.isEmpty() && selector.matches(labels);
      } catch {
        return false;
      }
    });
  }

  /**
   * The controllers a new object concerns (addPod, addReplicaSet): its controller, if it has a
   * controllerRef, and nothing else; an orphan, every controller selecting it.
   */
  toSyncOnAdd(object: KubeObject): T[] {
    if (!controllerOf(object)) return this.selecting(object);
    const controller = this.controllerOf(object);
    return controller ? [controller] : [];
  }

  /**
   * The controllers an update of an object concerns (updatePod, updateReplicaSet, updateHistory):
   * its old controller when the controllerRef changed; then its controller, if it has one, and
   * nothing else; an orphan whose labels or controllerRef changed, every controller selecting it.
   */
  toSyncOnUpdate(old: KubeObject, cur: KubeObject): T[] {
    const [oldRef, curRef] = [controllerOf(old), controllerOf(cur)];
    const refChanged = !sameOwnerReference(oldRef, curRef);
    const previous = refChanged && oldRef ? this.resolveControllerRef(old.metadata.namespace, oldRef) : undefined;
    const toSync = previous ? [previous] : [];
    if (curRef) {
      const current = this.resolveControllerRef(cur.metadata.namespace, curRef);
      return current ? [...toSync, current] : toSync;
    }
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    return labelsChanged || refChanged ? [...toSync, ...this.selecting(cur)] : toSync;
  }
}

/** reflect.DeepEqual of two controller references (every field of an OwnerReference), without printing them. */
function sameOwnerReference(a: OwnerReference | undefined, b: OwnerReference | undefined): boolean {
  if (!a || !b) return a === b;
  return a.uid === b.uid && a.name === b.name && a.kind === b.kind && a.apiVersion === b.apiVersion && a.controller === b.controller && a.blockOwnerDeletion === b.blockOwnerDeletion;
}
