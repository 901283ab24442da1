import { NAMESPACE_INDEX, type Informer, type KubeObject } from '@kubelab/client';
import { servicesSelecting, servicesToUpdateOnPodChange } from './endpoint-util';

/**
 * The Service and pod event handlers the endpoints and endpointslice controllers share
 * (onServiceUpdate / onServiceDelete, addPod / updatePod / deletePod): any change of a Service
 * queues it; a pod's change queues the Services of its namespace that select it, before or after
 * the change (GetPodServiceMemberships, GetServicesToUpdateOnPodChange).
 */
export function addServiceAndPodHandlers(services: Informer<KubeObject>, pods: Informer<KubeObject>, enqueue: (service: KubeObject) => void): void {
  const servicesOf = (pod: KubeObject) => services.indexer.byIndex(NAMESPACE_INDEX, pod.metadata.namespace ?? '');
  services.addEventHandler({
    onAdd: (service) => enqueue(service),
    onUpdate: (_, service) => enqueue(service),
    onDelete: (service) => enqueue(service),
  });
  pods.addEventHandler({
    onAdd: (pod) => servicesSelecting(servicesOf(pod), pod).forEach(enqueue),
    onUpdate: (old, pod) => servicesToUpdateOnPodChange(servicesOf(pod), old, pod).forEach(enqueue),
    onDelete: (pod) => servicesSelecting(servicesOf(pod), pod).forEach(enqueue),
  });
}
