import { FieldPath, required } from '@kubelab/apimachinery';
import { Errors } from '../errors';
import { timestamp } from './object-meta';
import type { GenericRegistry } from './generic-registry';
import { pods } from './resources/pods';
import type { KubeObject } from './types';

export interface BindingOptions {
  /** Bind only this incarnation of the pod (the Binding's metadata.uid). */
  uid?: string;
  dryRun?: boolean;
}

/**
 * The pods/binding subresource (Kubernetes' BindingREST): writes spec.nodeName and the
 * PodScheduled condition, which no ordinary update of the pod may do, so it goes straight to
 * storage. A pod already on a node, or being deleted, is a 409 Conflict. Returns the bound pod.
 * The REST POST and the gRPC Bind both come here.
 */
export async function bindPod(registry: GenericRegistry, namespace: string, name: string, nodeName: string, options: BindingOptions = {}): Promise<KubeObject> {
  if (!nodeName) throw Errors.invalid({ group: '', kind: 'Binding' }, name, [required(FieldPath.of('target', 'name'))]);
  const bind = (pod: KubeObject): KubeObject => {
    if (options.uid && options.uid !== pod.metadata.uid) {
      throw Errors.conflict(pods, name, `Precondition failed: UID in precondition: ${options.uid}, UID in object meta: ${pod.metadata.uid ?? ''}`);
    }
    if (pod.spec?.nodeName) throw Errors.conflict(pods, name, `pod ${name} is already assigned to node "${String(pod.spec.nodeName)}"`);
    if (pod.metadata.deletionTimestamp) throw Errors.conflict(pods, name, `pod ${name} is being deleted, cannot be assigned to a host`);
    pod.spec = { ...pod.spec, nodeName };
    const conditions = ((pod.status?.conditions as Array<{ type: string }> | undefined) ?? []).filter((c) => c.type !== 'PodScheduled');
    pod.status = { ...pod.status, conditions: [...conditions, { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: timestamp() }] };
    return pod;
  };
  if (options.dryRun) return bind(await registry.get(pods, namespace, name));
  return registry.store.update(pods, namespace, name, bind);
}
