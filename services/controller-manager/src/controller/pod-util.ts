import type { KubeObject } from '@kubelab/client';
import type { OwnerReference } from '@kubelab/apimachinery';
import type { PodCondition } from './update-pod-condition';

/** The pod's condition of `type` (podutil.GetPodCondition). */
export function podCondition(pod: KubeObject, type: string): PodCondition | undefined {
  return (pod.status?.conditions as PodCondition[] | undefined)?.find((c) => c.type === type);
}

/** The pod's Ready condition is True (podutil.IsPodReady). */
export function isPodReady(pod: KubeObject): boolean {
  return podCondition(pod, 'Ready')?.status === 'True';
}

/** Ready for at least minReadySeconds (podutil.IsPodAvailable). */
export function isPodAvailable(pod: KubeObject, minReadySeconds: number, nowMs: number): boolean {
  const ready = podCondition(pod, 'Ready');
  if (ready?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const since = ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : NaN;
  return !Number.isNaN(since) && since + minReadySeconds * 1000 <= nowMs;
}

/** Neither being deleted nor finished (controller.IsPodActive). */
export function isPodActive(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

/**
 * A pod made from a workload's template (controller.GetPodFromTemplate): the template's labels,
 * annotations and spec, `generateName` from the owner's name, and the owner as controller.
 */
export function podFromTemplate(template: KubeObject | undefined, namespace: string, generateName: string, owner: OwnerReference): KubeObject {
  const meta = (template?.metadata ?? {}) as KubeObject['metadata'];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName,
      namespace,
      ...(meta.labels ? { labels: { ...meta.labels } } : {}),
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [owner],
    },
    spec: structuredClone(template?.spec ?? {}),
  };
}

