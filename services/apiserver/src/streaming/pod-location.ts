import { Errors } from '../errors';
import { lookup } from '../registry/catalog';
import type { GenericRegistry } from '../registry/generic-registry';
import type { KubeObject } from '../registry/types';

interface PodSpecContainers {
  containers?: Array<{ name: string }>;
  initContainers?: Array<{ name: string }>;
  ephemeralContainers?: Array<{ name: string }>;
  nodeName?: string;
}

/** A pod, the container a request is about, and the node that runs it (if any yet). */
export interface PodLocation {
  pod: KubeObject;
  namespace: string;
  name: string;
  container: string;
  nodeName: string | undefined;
}

/** Reads the pod: NotFound `pods "x" not found` as Kubernetes answers. */
export function getPod(registry: GenericRegistry, namespace: string, name: string): Promise<KubeObject> {
  return registry.get(lookup('', 'v1', 'pods')!, namespace, name);
}

/**
 * The container a logs / exec / attach request means (Kubernetes' validateContainer): the only
 * one if the pod has one, else the one named, which must exist among the containers, init
 * containers and ephemeral containers. BadRequest otherwise, worded as Kubernetes words it.
 */
export function validateContainer(pod: KubeObject, container: string): string {
  const spec = (pod.spec ?? {}) as PodSpecContainers;
  const containers = spec.containers ?? [];
  const all = [...(spec.initContainers ?? []), ...containers, ...(spec.ephemeralContainers ?? [])].map((c) => c.name);
  const name = pod.metadata.name ?? '';
  if (!container) {
    if (containers.length === 1) return containers[0]!.name;
    if (containers.length === 0) throw Errors.badRequest(`a container name must be specified for pod ${name}`);
    throw Errors.badRequest(`a container name must be specified for pod ${name}, choose one of: [${all.join(' ')}]`);
  }
  if (!all.includes(container)) throw Errors.badRequest(`container ${container} is not valid for pod ${name}`);
  return container;
}

/** Where a logs / exec / attach request goes (Kubernetes' LogLocation / streamLocation). */
export async function podLocation(registry: GenericRegistry, namespace: string, name: string, container: string): Promise<PodLocation> {
  const pod = await getPod(registry, namespace, name);
  const chosen = validateContainer(pod, container);
  const nodeName = ((pod.spec ?? {}) as PodSpecContainers).nodeName || undefined;
  return { pod, namespace, name, container: chosen, nodeName };
}

/** exec, attach and port-forward need a node: BadRequest `pod x does not have a host assigned` before the scheduler has placed it. */
export function requireNode(location: Pick<PodLocation, 'name' | 'nodeName'>): string {
  if (!location.nodeName) throw Errors.badRequest(`pod ${location.name} does not have a host assigned`);
  return location.nodeName;
}
