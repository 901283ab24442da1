import type { KubeObject } from '@kubelab/client';
import { CONFIG_HASH_ANNOTATION, CONFIG_MIRROR_ANNOTATION, type StaticPod } from './static-pod';

/** Whether a pod from the apiserver is a mirror pod (it carries `kubernetes.io/config.mirror`). */
export function isMirrorPod(pod: KubeObject): boolean {
  return pod.metadata.annotations?.[CONFIG_MIRROR_ANNOTATION] !== undefined;
}

/** Whether `mirror` mirrors this very version of the static pod: same name, and its config.mirror is the static pod's hash. */
export function isMirrorPodOf(mirror: KubeObject, staticPod: StaticPod): boolean {
  return `${mirror.metadata.namespace}/${mirror.metadata.name}` === staticPod.fullName && mirror.metadata.annotations?.[CONFIG_MIRROR_ANNOTATION] === staticPod.hash;
}

/**
 * The mirror pod the kubelet creates in the apiserver for a static pod
 * (pkg/kubelet/pod/mirror_client.go, CreateMirrorPod): the static pod with its annotations plus
 * `kubernetes.io/config.mirror` (its hash), owned by the Node (controller: true) so that it goes
 * when the Node goes. The apiserver gives it a UID of its own; status is the kubelet's to write.
 */
export function mirrorPodFor(staticPod: StaticPod, node: { name: string; uid: string }): KubeObject {
  const { pod } = staticPod;
  const annotations = { ...(pod.metadata.annotations ?? {}), [CONFIG_MIRROR_ANNOTATION]: pod.metadata.annotations?.[CONFIG_HASH_ANNOTATION] ?? staticPod.hash };
  const metadata = { ...pod.metadata, annotations, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.uid, controller: true }] };
  delete metadata.uid;
  delete metadata.resourceVersion;
  delete metadata.creationTimestamp;
  const mirror: KubeObject = { ...pod, metadata };
  delete mirror.status;
  return mirror;
}
