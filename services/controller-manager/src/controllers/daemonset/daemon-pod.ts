import type { Toleration } from '@kubelab/component-helpers';
import type { DaemonSet, Pod, PodSpec, PodTemplateSpec } from './types';

/** The label naming a daemon pod's revision (apps.DefaultDaemonSetUniqueLabelKey), the hash of its template. */
export const DAEMONSET_UNIQUE_LABEL = 'controller-revision-hash';
/** The label of pods made by DaemonSets that still carry a template generation (extensions.DaemonSetTemplateGenerationKey). */
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
/** The annotation that carries a DaemonSet's template generation (apps.DeprecatedTemplateGeneration). */
export const DEPRECATED_TEMPLATE_GENERATION = 'deprecated.daemonset.template.generation';

/**
 * The tolerations every daemon pod gets (util.AddOrUpdateDaemonPodTolerations): a node that is
 * not ready or unreachable does not evict it (NoExecute, no time limit), and the taints the node
 * lifecycle controller puts on troubled nodes do not keep it away (NoSchedule); a hostNetwork pod
 * also tolerates a node whose network is not ready.
 */
export function daemonPodTolerations(spec: PodSpec | undefined): Toleration[] {
  const required: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (spec?.hostNetwork) required.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  let tolerations = [...(spec?.tolerations ?? [])];
  for (const toleration of required) tolerations = addOrUpdateToleration(tolerations, toleration);
  return tolerations;
}

/**
 * v1helper.AddOrUpdateTolerationInPodSpec: a toleration with the same key, operator, value and
 * effect is replaced (its tolerationSeconds dropped), otherwise the toleration is appended.
 */
function addOrUpdateToleration(tolerations: Toleration[], toleration: Toleration): Toleration[] {
  const same = (t: Toleration) => (t.key ?? '') === toleration.key && (t.operator ?? '') === toleration.operator && (t.value ?? '') === (toleration.value ?? '') && (t.effect ?? '') === toleration.effect;
  if (!tolerations.some(same)) return [...tolerations, toleration];
  return tolerations.map((t) => (same(t) ? { ...toleration } : t));
}

/** The template generation a DaemonSet carries in its deprecated annotation, if it parses. */
export function templateGeneration(ds: DaemonSet): string | undefined {
  const value = ds.metadata.annotations?.[DEPRECATED_TEMPLATE_GENERATION];
  return value !== undefined && /^-?\d+$/.test(value) ? String(BigInt(value)) : undefined;
}

/**
 * util.CreatePodTemplate: the DaemonSet's template with the daemon tolerations, the revision
 * hash label, and the template generation label when the DaemonSet has one.
 */
export function createPodTemplate(template: PodTemplateSpec | undefined, generation: string | undefined, hash: string): PodTemplateSpec {
  const copy = structuredClone(template ?? {});
  const spec = (copy.spec ??= {});
  spec.tolerations = daemonPodTolerations(spec);
  const labels = ((copy.metadata ??= {}).labels ??= {});
  if (generation !== undefined) labels[TEMPLATE_GENERATION_LABEL] = generation;
  if (hash) labels[DAEMONSET_UNIQUE_LABEL] = hash;
  return copy;
}

/**
 * util.IsPodUpdated: the pod carries the current revision hash. (Kubernetes also compares the
 * pod-template-generation label, but against the printout of a pointer, so that never matches:
 * the hash alone decides, here too.)
 */
export function isPodUpdated(pod: Pod, hash: string): boolean {
  return hash.length > 0 && pod.metadata.labels?.[DAEMONSET_UNIQUE_LABEL] === hash;
}
