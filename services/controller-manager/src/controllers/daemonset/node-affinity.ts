import { OBJECT_NAME_FIELD, type Affinity } from '@kubelab/component-helpers';
import type { PodSpec } from './types';

/**
 * util.ReplaceDaemonSetPodNodeNameNodeAffinity: the required node affinity becomes the single
 * term `metadata.name In [node]`, which is how a daemon pod names its node and still goes through
 * the scheduler (the template's own terms were already checked when the node was chosen).
 */
export function replaceDaemonSetPodNodeNameNodeAffinity(affinity: Affinity | undefined, nodeName: string): Affinity {
  const required = { nodeSelectorTerms: [{ matchFields: [{ key: OBJECT_NAME_FIELD, operator: 'In', values: [nodeName] }] }] };
  const copy = structuredClone(affinity ?? {});
  copy.nodeAffinity = { ...copy.nodeAffinity, requiredDuringSchedulingIgnoredDuringExecution: required };
  return copy;
}

/**
 * util.GetTargetNodeName: the node a daemon pod is for, its spec.nodeName once bound, before that
 * the `metadata.name In [node]` field of its required node affinity.
 */
export function getTargetNodeName(spec: PodSpec | undefined): string | undefined {
  if (spec?.nodeName) return spec.nodeName;
  for (const term of spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const field of term.matchFields ?? []) {
      if (field.key === OBJECT_NAME_FIELD && field.operator === 'In') return field.values?.length === 1 ? field.values[0] : undefined;
    }
  }
  return undefined;
}
