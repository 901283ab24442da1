import { LabelSelector, labelSelectorAsSelector, Requirement, type LabelSelectorObject } from '@kubelab/apimachinery';
import { NAMESPACE_INDEX, type Indexer, type KubeObject } from '@kubelab/client';
import type { Pod } from '../framework/types';
import { namespaceOf } from './inter-pod-affinity-terms';

/** The caches the default selector reads; each may be missing (no informers, as in unit tests). */
export interface DefaultSelectorListers {
  services?: Indexer<KubeObject>;
  replicaSets?: Indexer<KubeObject>;
  statefulSets?: Indexer<KubeObject>;
}

/**
 * The selector system-default spreading counts pods with (helper.DefaultSelector): the selectors
 * of the Services that select the pod, merged, plus the selector of the ReplicaSet or StatefulSet
 * that controls it. Empty when nothing groups the pod, and then it is not spread at all.
 * (ReplicationControllers are left out: kubelab's apiserver does not serve them.)
 */
export function defaultSelector(pod: Pod, listers: DefaultSelectorListers): LabelSelector {
  const namespace = namespaceOf(pod);
  const podLabels = pod.metadata.labels ?? {};
  const labelSet: Record<string, string> = {};
  for (const service of listers.services?.byIndex(NAMESPACE_INDEX, namespace) ?? []) {
    const selector = (service.spec as { selector?: Record<string, string> | null } | undefined)?.selector;
    // A Service without a selector selects no pods (its endpoints are managed by hand).
    if (!selector) continue;
    if (Object.entries(selector).every(([k, v]) => podLabels[k] === v)) Object.assign(labelSet, selector);
  }
  let selector = LabelSelector.of(Object.entries(labelSet).map(([k, v]) => new Requirement(k, '=', [v])));

  const owner = pod.metadata.ownerReferences?.find((ref) => ref.controller);
  if (owner?.apiVersion !== 'apps/v1') return selector;
  const controllers = owner.kind === 'ReplicaSet' ? listers.replicaSets : owner.kind === 'StatefulSet' ? listers.statefulSets : undefined;
  const controller = controllers?.get(namespace, owner.name);
  const other = controller ? controllerSelector(controller) : undefined;
  if (other && !other.isNothing()) selector = selector.add(...other.requirements);
  return selector;
}

/**
 * A controller's spec.selector, parsed once per version of the controller: every cycle of its
 * pods asks for it, and the informer replaces the object (never changes it) when it changes.
 * Undefined when it does not parse, which adds nothing, as in Kubernetes.
 */
const parsedSelectors = new WeakMap<KubeObject, LabelSelector | undefined>();

function controllerSelector(controller: KubeObject): LabelSelector | undefined {
  if (parsedSelectors.has(controller)) return parsedSelectors.get(controller);
  let selector: LabelSelector | undefined;
  try {
    selector = labelSelectorAsSelector((controller.spec as { selector?: LabelSelectorObject } | undefined)?.selector);
  } catch {
    selector = undefined;
  }
  parsedSelectors.set(controller, selector);
  return selector;
}
