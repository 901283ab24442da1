import { cpuToMilli, quantityToValue } from '@kubelab/apimachinery';
import type { Pod } from './types';

/** CPU in millicores, memory and ephemeral storage in bytes, pods as a count. */
export interface Resource {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  allowedPodNumber: number;
  /** Extended resources ("example.com/gpu") by name. */
  scalar: Map<string, number>;
}

export function emptyResource(): Resource {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, allowedPodNumber: 0, scalar: new Map() };
}

type ResourceList = Record<string, string | number | undefined>;
interface Container {
  resources?: { requests?: ResourceList; limits?: ResourceList };
  restartPolicy?: string;
}

/** kube-scheduler's defaults for a container that requests nothing, used only for scoring. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** A resource list ("cpu: 500m, memory: 1Gi") in the scheduler's units. */
export function resourceFromList(list: ResourceList | undefined): Resource {
  const r = emptyResource();
  for (const [name, value] of Object.entries(list ?? {})) {
    if (value === undefined) continue;
    const text = String(value);
    if (name === 'cpu') r.milliCPU = cpuToMilli(text);
    else if (name === 'memory') r.memory = quantityToValue(text);
    else if (name === 'ephemeral-storage') r.ephemeralStorage = quantityToValue(text);
    else if (name === 'pods') r.allowedPodNumber = quantityToValue(text);
    else if (name.includes('/') || name.startsWith('hugepages-')) r.scalar.set(name, quantityToValue(text));
  }
  return r;
}

/**
 * What a pod requests (resourcehelper.PodRequests): the sum over its containers, or more if one
 * init container alone asks for more (init containers run one at a time, before the others;
 * sidecars — init containers with restartPolicy Always — keep running and add up), plus the
 * pod's overhead. `nonZero` counts a container without a cpu/memory request as 100m / 200Mi.
 */
export function podRequests(pod: Pod, nonZero = false): Resource {
  const spec = (pod.spec ?? {}) as { containers?: Container[]; initContainers?: Container[]; overhead?: ResourceList };
  const requestsOf = (c: Container): Resource => {
    // A pod's requests default to its limits, resource by resource (SetDefaults_Pod), for pods
    // the apiserver did not default.
    const req = { ...c.resources?.limits, ...c.resources?.requests };
    const r = resourceFromList(req);
    if (nonZero) {
      if (req.cpu === undefined) r.milliCPU = DEFAULT_MILLI_CPU_REQUEST;
      if (req.memory === undefined) r.memory = DEFAULT_MEMORY_REQUEST;
    }
    return r;
  };
  const total = emptyResource();
  for (const c of spec.containers ?? []) add(total, requestsOf(c));
  let sidecars = emptyResource();
  for (const c of spec.initContainers ?? []) {
    const r = requestsOf(c);
    if (c.restartPolicy === 'Always') {
      add(total, r);
      sidecars = sum(sidecars, r);
      continue;
    }
    // A regular init container runs beside the sidecars started before it.
    maxInto(total, sum(r, sidecars));
  }
  if (spec.overhead) add(total, resourceFromList(spec.overhead));
  return total;
}

export function add(into: Resource, r: Resource): void {
  into.milliCPU += r.milliCPU;
  into.memory += r.memory;
  into.ephemeralStorage += r.ephemeralStorage;
  into.allowedPodNumber += r.allowedPodNumber;
  for (const [k, v] of r.scalar) into.scalar.set(k, (into.scalar.get(k) ?? 0) + v);
}

export function subtract(from: Resource, r: Resource): void {
  from.milliCPU -= r.milliCPU;
  from.memory -= r.memory;
  from.ephemeralStorage -= r.ephemeralStorage;
  from.allowedPodNumber -= r.allowedPodNumber;
  for (const [k, v] of r.scalar) from.scalar.set(k, (from.scalar.get(k) ?? 0) - v);
}

function sum(a: Resource, b: Resource): Resource {
  const r = cloneResource(a);
  add(r, b);
  return r;
}

function maxInto(into: Resource, r: Resource): void {
  into.milliCPU = Math.max(into.milliCPU, r.milliCPU);
  into.memory = Math.max(into.memory, r.memory);
  into.ephemeralStorage = Math.max(into.ephemeralStorage, r.ephemeralStorage);
  for (const [k, v] of r.scalar) into.scalar.set(k, Math.max(into.scalar.get(k) ?? 0, v));
}

export function cloneResource(r: Resource): Resource {
  return { ...r, scalar: new Map(r.scalar) };
}
