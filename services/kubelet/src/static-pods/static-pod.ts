import { createHash } from 'node:crypto';
import type { KubeObject } from '@kubelab/client';

/** The annotations the kubelet puts on static pods and their mirror pods (pkg/kubelet/types/pod_update.go). */
export const CONFIG_HASH_ANNOTATION = 'kubernetes.io/config.hash';
export const CONFIG_MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';
export const CONFIG_SEEN_ANNOTATION = 'kubernetes.io/config.seen';
export const CONFIG_SOURCE_ANNOTATION = 'kubernetes.io/config.source';

/** The source of pods read from --pod-manifest-path, as the kubelet names it. */
export const FILE_SOURCE = 'file';

/** A pod read from a manifest file, with the defaults the kubelet gives it. */
export interface StaticPod {
  /** The pod as the kubelet runs it: name `<name>-<node>`, spec.nodeName, the config annotations. */
  pod: KubeObject;
  /** The hash of the manifest (and node and file): the static pod's UID and its mirror's config.mirror. */
  hash: string;
  /** `<namespace>/<name>`: where its mirror pod lives. */
  fullName: string;
  file: string;
}

/**
 * A manifest turned into the static pod the kubelet runs (pkg/kubelet/config/common.go,
 * applyDefaults): the name gets `-<node name>` appended, the namespace defaults to `default`,
 * spec.nodeName is this node, the pod tolerates every NoExecute taint (so the node's problems
 * never evict it), and its UID and `kubernetes.io/config.hash` are a hash of the manifest, the
 * node and the file (the same manifest gives the same pod after a restart). `seen` is when this
 * kubelet first read it (`kubernetes.io/config.seen`). Throws when the manifest is not a Pod.
 */
export function staticPodFromManifest(manifest: unknown, file: string, nodeName: string, seen: string): StaticPod {
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) throw new Error('the manifest is not an object');
  const pod = structuredClone(manifest) as KubeObject;
  if (pod.kind !== 'Pod' || (pod.apiVersion ?? 'v1') !== 'v1') throw new Error(`the manifest is a ${String(pod.apiVersion ?? '')}/${String(pod.kind ?? '')}, not a v1 Pod`);
  const name = pod.metadata?.name;
  if (typeof name !== 'string' || !name) throw new Error('metadata.name: Required value: name or generateName is required');
  const containers = (pod.spec as { containers?: unknown } | undefined)?.containers;
  if (!Array.isArray(containers) || containers.length === 0) throw new Error('spec.containers: Required value');
  const hasher = createHash('md5');
  hasher.update(canonicalJSON(manifest));
  hasher.update(`host:${nodeName}`);
  hasher.update(`file:${file}`);
  const hash = hasher.digest('hex');

  const metadata = { ...pod.metadata };
  metadata.name = `${name}-${nodeName.toLowerCase()}`;
  metadata.namespace ||= 'default';
  metadata.uid = hash;
  metadata.annotations = { ...(metadata.annotations ?? {}), [CONFIG_HASH_ANNOTATION]: hash, [CONFIG_SEEN_ANNOTATION]: seen, [CONFIG_SOURCE_ANNOTATION]: FILE_SOURCE };
  const spec: Record<string, unknown> = { ...(pod.spec as Record<string, unknown>), nodeName };
  const tolerations = (spec.tolerations as Array<{ key?: string; operator?: string; effect?: string }> | undefined) ?? [];
  const tolerateAll = { operator: 'Exists', effect: 'NoExecute' };
  if (!tolerations.some((t) => !t.key && t.operator === 'Exists' && t.effect === 'NoExecute')) spec.tolerations = [...tolerations, tolerateAll];
  const out: KubeObject = { ...pod, apiVersion: 'v1', kind: 'Pod', metadata, spec };
  delete out.status;
  return { pod: out, hash, fullName: `${metadata.namespace}/${metadata.name}`, file };
}

/** JSON with object keys sorted, so that a hash does not depend on the order of a file's fields. */
function canonicalJSON(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJSON).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJSON(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
