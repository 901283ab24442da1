import type { KubeObject, ObjectReference } from '@kubelab/client';

/** A pod as the kubelet names it in messages (format.Pod): `name_namespace(uid)`. */
export function podDesc(pod: KubeObject): string {
  return `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
}

/** The pod as the involvedObject of an event, whatever shape the informer gave it. */
export function podRef(pod: KubeObject): ObjectReference {
  const ref: ObjectReference = { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid, apiVersion: 'v1' };
  if (pod.metadata.resourceVersion) ref.resourceVersion = pod.metadata.resourceVersion;
  return ref;
}

/** The fieldPath of a container's events: `spec.containers{web}`, `spec.initContainers{setup}`. */
export function containerFieldPath(kind: 'init' | 'regular' | 'ephemeral', name: string): string {
  const list = kind === 'init' ? 'initContainers' : kind === 'ephemeral' ? 'ephemeralContainers' : 'containers';
  return `spec.${list}{${name}}`;
}
