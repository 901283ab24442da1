import { newRequirement, selectorFromSet, type Requirement, type SelectionOperator } from '@kubelab/apimachinery';
import type { Node, PodSpec } from './types';

/** v1.NodeSelectorRequirement: In, NotIn, Exists, DoesNotExist, Gt, Lt. */
export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

/** v1.NodeSelectorTerm: its expressions and fields are ANDed. */
export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export interface Affinity {
  nodeAffinity?: {
    /** Its terms are ORed. */
    requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: NodeSelectorTerm[] };
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

/** The one field a node selector term may match on (metav1.ObjectNameField). */
const OBJECT_NAME_FIELD = 'metadata.name';

const OPERATORS: Record<string, SelectionOperator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!', Gt: 'gt', Lt: 'lt' };

/**
 * Whether a pod's required node affinity lets it run on `node`
 * (nodeaffinity.GetRequiredNodeAffinity(pod).Match(node)): the nodeSelector's labels, and one of
 * the required terms. A term that is empty or does not parse matches nothing.
 */
export function requiredNodeAffinityMatches(spec: PodSpec | undefined, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  if (spec?.nodeSelector && Object.keys(spec.nodeSelector).length > 0 && !selectorFromSet(spec.nodeSelector).matches(labels)) return false;
  const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return (required.nodeSelectorTerms ?? []).some((term) => termMatches(term, labels, node.metadata.name ?? ''));
}

function termMatches(term: NodeSelectorTerm, labels: Record<string, string>, nodeName: string): boolean {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) return false;
  try {
    const requirements = expressions.map(labelRequirement);
    if (!requirements.every((r) => r.matches(labels))) return false;
    return fields.every((f) => fieldMatches(f, nodeName));
  } catch {
    return false;
  }
}

function labelRequirement(expression: NodeSelectorRequirement): Requirement {
  const operator = OPERATORS[expression.operator];
  if (!operator) throw new Error(`Unsupported value: "${expression.operator}"`);
  return newRequirement(expression.key, operator, expression.values ?? []);
}

/** Fields are `metadata.name` In / NotIn exactly one value; anything else does not parse. */
function fieldMatches(requirement: NodeSelectorRequirement, nodeName: string): boolean {
  const values = requirement.values ?? [];
  if ((requirement.operator !== 'In' && requirement.operator !== 'NotIn') || values.length !== 1) throw new Error('invalid field selector requirement');
  const value = requirement.key === OBJECT_NAME_FIELD ? nodeName : '';
  return requirement.operator === 'In' ? value === values[0] : value !== values[0];
}

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
