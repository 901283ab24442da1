import type { KubeObject } from '@kubelab/client';
import { endpointKey, endpointsEqualBeyondHash, portMapKey, type AddressType, type Endpoint, type EndpointPort } from './endpoint';
import { endpointSliceLabels, newEndpointSlice, ownedBy, samePlaceholder, type EndpointSlice } from './endpoint-slice';

/** kube-controller-manager's --max-endpoints-per-slice default. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

/** The endpoints that share one set of ports: what one group of slices must hold. */
export interface DesiredGroup {
  ports: EndpointPort[];
  /** By endpointKey, in the order they are to be placed. */
  endpoints: Map<string, Endpoint>;
}

/** What to write to make the slices of one address type right. */
export interface SlicePlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

/**
 * The slice arithmetic of the EndpointSlice reconciler (reconcileByAddressType and finalize,
 * k8s.io/endpointslice), without the writes. Slices are grouped by their ports; in each group
 * existing slices keep the endpoints still wanted (updated in place when one changed), then
 * fill up with the new ones, fullest first; what does not fit goes into the unchanged slice it
 * fills best, or into new slices of at most `maxEndpointsPerSlice`. Slices of ports no longer
 * used, or not owned by this Service, go. A Service with no endpoints keeps one empty
 * placeholder slice. A slice about to be deleted is reused (updated) for one about to be created.
 */
export function planSlices(
  service: KubeObject,
  existing: EndpointSlice[],
  desired: Map<string, DesiredGroup>,
  addressType: AddressType,
  maxEndpointsPerSlice = MAX_ENDPOINTS_PER_SLICE,
): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const existingByPorts = new Map<string, EndpointSlice[]>();
  // An empty list may come back from the apiserver as none at all.
  existing = existing.map((slice) => ({ ...slice, endpoints: slice.endpoints ?? [], ports: slice.ports ?? [] }));
  for (const slice of existing) {
    if (!ownedBy(slice, service)) {
      plan.delete.push(slice);
      continue;
    }
    const key = portMapKey(slice.ports);
    existingByPorts.set(key, [...(existingByPorts.get(key) ?? []), slice]);
  }
  for (const [key, group] of desired) {
    const part = planPortGroup(service, existingByPorts.get(key) ?? [], group, addressType, maxEndpointsPerSlice);
    plan.create.push(...part.create);
    plan.update.push(...part.update);
    plan.delete.push(...part.delete);
  }
  for (const [key, slices] of existingByPorts) if (!desired.has(key)) plan.delete.push(...slices);

  // No endpoints at all: an empty slice says so (kept if it is already there).
  if (existing.length === plan.delete.length && plan.create.length === 0) {
    const placeholder = newEndpointSlice(service, [], addressType);
    if (plan.delete.length === 1 && samePlaceholder(plan.delete[0]!, placeholder)) plan.delete = [];
    else plan.create.push(placeholder);
  }

  // Deleting one slice and creating another is dearer than rewriting the first.
  for (let i = 0; i < plan.delete.length && plan.create.length > 0; ) {
    const doomed = plan.delete[i]!;
    if (doomed.addressType === addressType && ownedBy(doomed, service)) {
      const slice = plan.create.pop()!;
      slice.metadata.name = doomed.metadata.name;
      plan.update.push(slice);
      plan.delete.splice(i, 1);
    } else {
      i++;
    }
  }
  return plan;
}

/** reconcileByPortMapping: the slices of one set of ports. */
function planPortGroup(service: KubeObject, existing: EndpointSlice[], group: DesiredGroup, addressType: AddressType, max: number): SlicePlan {
  const wanted = new Map(group.endpoints);
  const byName = new Map<string, EndpointSlice>();
  const unchanged = new Set<string>();
  const toUpdate = new Set<string>();
  const toDelete = new Set<string>();

  // 1. Keep in each slice the endpoints still wanted, in their newest form.
  for (const slice of existing) {
    const name = slice.metadata.name!;
    byName.set(name, slice);
    const kept: Endpoint[] = [];
    let endpointChanged = false;
    for (const endpoint of slice.endpoints) {
      const key = endpointKey(endpoint);
      const want = wanted.get(key);
      if (!want) continue;
      kept.push(want);
      if (!endpointsEqualBeyondHash(want, endpoint)) endpointChanged = true;
      wanted.delete(key);
    }
    const { labels, changed: labelsChanged } = endpointSliceLabels(slice, service);
    if (endpointChanged || kept.length !== slice.endpoints.length) {
      if (kept.length === 0) {
        toDelete.add(name);
      } else {
        byName.set(name, { ...structuredClone(slice), endpoints: kept, metadata: { ...structuredClone(slice.metadata), labels } });
        toUpdate.add(name);
      }
    } else if (labelsChanged) {
      byName.set(name, { ...structuredClone(slice), metadata: { ...structuredClone(slice.metadata), labels } });
      toUpdate.add(name);
    } else {
      unchanged.add(name);
    }
  }

  const pop = (): Endpoint => {
    const [key, endpoint] = wanted.entries().next().value as [string, Endpoint];
    wanted.delete(key);
    return endpoint;
  };

  // 2. Fill the slices being updated anyway, fullest first.
  if (wanted.size > 0 && toUpdate.size > 0) {
    const slices = [...toUpdate].map((name) => byName.get(name)!).sort((a, b) => b.endpoints.length - a.endpoints.length);
    for (const slice of slices) while (wanted.size > 0 && slice.endpoints.length < max) slice.endpoints.push(pop());
  }

  // 3. The rest: into the unchanged slice they fill best, or into new slices.
  const create: EndpointSlice[] = [];
  while (wanted.size > 0) {
    let target: EndpointSlice | undefined;
    if (wanted.size < max && unchanged.size > 0) {
      const best = sliceToFill([...unchanged].map((name) => byName.get(name)!), wanted.size, max);
      if (best) byName.set(best.metadata.name!, (target = structuredClone(best)));
    }
    target ??= newEndpointSlice(service, group.ports, addressType);
    while (wanted.size > 0 && target.endpoints.length < max) target.endpoints.push(pop());
    if (target.metadata.name) {
      toUpdate.add(target.metadata.name);
      unchanged.delete(target.metadata.name);
    } else {
      create.push(target);
    }
  }

  return { create, update: [...toUpdate].map((name) => byName.get(name)!), delete: [...toDelete].map((name) => byName.get(name)!) };
}

/** getSliceToFill: the slice that `count` more endpoints bring closest to full without overflowing it. */
function sliceToFill(slices: EndpointSlice[], count: number, max: number): EndpointSlice | undefined {
  let closest: EndpointSlice | undefined;
  let closestDiff = max;
  for (const slice of slices) {
    const diff = max - (count + slice.endpoints.length);
    if (diff >= 0 && diff < closestDiff) {
      closestDiff = diff;
      closest = slice;
      if (diff === 0) break;
    }
  }
  return closest;
}
