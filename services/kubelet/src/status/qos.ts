import { Quantity } from '@kubelab/apimachinery';
import type { Container, PodSpec } from './api-types';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

/** The compute resources that decide a pod's QoS class (qos.supportedQoSComputeResources). */
const QOS_RESOURCES = ['cpu', 'memory'] as const;

/**
 * A pod's QoS class, by Kubernetes' rules (GetPodQOS): BestEffort when no container (init
 * containers included) requests or limits cpu or memory; Guaranteed when every container limits
 * both and the summed requests equal the summed limits; Burstable otherwise. A limit without a
 * request counts as that request, as the apiserver's defaulting makes it.
 */
export function podQOSClass(spec: Pick<PodSpec, 'containers' | 'initContainers'>): QOSClass {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  for (const container of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    const { requests: req, limits: lim } = effectiveResources(container);
    for (const name of QOS_RESOURCES) {
      const r = positive(req[name]);
      if (r) requests.set(name, requests.has(name) ? requests.get(name)!.add(r) : r);
    }
    const found = new Set<string>();
    for (const name of QOS_RESOURCES) {
      const l = positive(lim[name]);
      if (!l) continue;
      found.add(name);
      limits.set(name, limits.has(name) ? limits.get(name)!.add(l) : l);
    }
    if (!QOS_RESOURCES.every((name) => found.has(name))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, request] of requests) {
      const limit = limits.get(name);
      if (!limit || limit.cmp(request) !== 0) guaranteed = false;
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

function effectiveResources(container: Container): { requests: Record<string, string>; limits: Record<string, string> } {
  const limits = container.resources?.limits ?? {};
  return { requests: { ...limits, ...(container.resources?.requests ?? {}) }, limits };
}

function positive(value: string | undefined): Quantity | undefined {
  if (value === undefined) return undefined;
  const q = Quantity.tryParse(String(value));
  return q && q.sign() > 0 ? q : undefined;
}
