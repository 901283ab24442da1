import { Quantity } from '@kubelab/apimachinery';
import type { KubeObject } from '@kubelab/client';
import type { Container, PodSpec } from '../status/api-types';

/** What a fieldRef can read besides the pod object: the addresses only the kubelet knows. */
export interface FieldRefContext {
  podIP: string;
  hostIP: string;
}

/**
 * The value of an env var's fieldRef (podFieldSelectorRuntimeValue): spec.nodeName,
 * spec.serviceAccountName, status.hostIP(s), status.podIP(s), and the metadata fields
 * (name, namespace, uid, labels['k'], annotations['k'], all labels / annotations as k="v" lines).
 */
export function fieldRefValue(pod: KubeObject, fieldPath: string, context: FieldRefContext): string {
  const spec = pod.spec as unknown as PodSpec;
  switch (fieldPath) {
    case 'spec.nodeName':
      return spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return spec.serviceAccountName ?? '';
    case 'status.hostIP':
    case 'status.hostIPs':
      return context.hostIP;
    case 'status.podIP':
    case 'status.podIPs':
      return context.podIP;
  }
  const sub = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(fieldPath);
  if (sub) {
    const map = (sub[1] === 'metadata.labels' ? pod.metadata.labels : pod.metadata.annotations) ?? {};
    return map[sub[2]!] ?? '';
  }
  if (/^[^[]+\[.*\]$/.test(fieldPath)) throw new Error(`fieldPath "${fieldPath}" does not support subscript`);
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'metadata.labels':
      return formatMap(pod.metadata.labels ?? {});
    case 'metadata.annotations':
      return formatMap(pod.metadata.annotations ?? {});
  }
  throw new Error(`unsupported fieldPath: ${fieldPath}`);
}

/** Go's fieldpath.FormatMap: sorted `key="value"` lines. */
function formatMap(map: Record<string, string>): string {
  return Object.keys(map)
    .sort()
    .map((k) => `${k}=${JSON.stringify(map[k])}`)
    .join('\n');
}

/**
 * The value of an env var's resourceFieldRef (containerResourceRuntimeValue): the container's
 * requests or limits of cpu, memory or ephemeral-storage divided by `divisor` and rounded up; a
 * limit the container does not set is the node's allocatable, as Kubernetes defaults it.
 */
export function resourceFieldRefValue(container: Container, resource: string, divisor: string | number | undefined, allocatable: Readonly<Record<string, string>>): string {
  const div = divisor === undefined || divisor === '' || Quantity.parse(String(divisor)).isZero() ? Quantity.parse('1') : Quantity.parse(String(divisor));
  const dot = resource.indexOf('.');
  const kind = resource.slice(0, dot);
  const name = resource.slice(dot + 1);
  if ((kind !== 'limits' && kind !== 'requests') || !['cpu', 'memory', 'ephemeral-storage'].includes(name)) {
    throw new Error(`unsupported container resource : ${resource}`);
  }
  const limits = container.resources?.limits ?? {};
  const requests = { ...limits, ...(container.resources?.requests ?? {}) };
  const raw = kind === 'limits' ? (limits[name] ?? allocatable[name]) : requests[name];
  const amount = Quantity.parse(String(raw ?? '0'));
  if (name === 'cpu') return String(Math.ceil(amount.milliValue() / div.milliValue()));
  return String(Math.ceil(amount.value() / div.value()));
}
