import {
  FieldSelector,
  LabelSelector,
  Requirement,
  selectorFromSet,
  validateRequirement,
  type FieldRequirement,
  type KubeObject,
  type SelectionOperator,
} from '@kubelab/apimachinery';

/**
 * A pod's nodeSelector and node affinity matched against a node, as the scheduler's NodeAffinity
 * and PodTopologySpread plugins and the DaemonSet controller all do it
 * (k8s.io/component-helpers/scheduling/corev1/nodeaffinity). Terms are ORed, the requirements of
 * a term ANDed. A term with no requirement matches no node, and neither does a term with a
 * requirement that does not parse (labels.NewRequirement's checks; fields are metadata.name
 * In / NotIn one value): the pod is not failed for it, the term just never matches.
 */

/** core/v1 NodeSelectorRequirement: In, NotIn, Exists, DoesNotExist, Gt, Lt. */
export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

/** core/v1 NodeSelectorTerm: its expressions (on labels) and fields are ANDed. */
export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

/** core/v1 PreferredSchedulingTerm. */
export interface PreferredSchedulingTerm {
  weight: number;
  preference: NodeSelectorTerm;
}

/** core/v1 NodeAffinity. */
export interface NodeAffinity {
  /** Its terms are ORed; no term at all matches no node (the API requires the list; the code reads a missing one as empty). */
  requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: NodeSelectorTerm[] } | null;
  preferredDuringSchedulingIgnoredDuringExecution?: PreferredSchedulingTerm[] | null;
}

/** core/v1 Affinity: the node part; pod (anti-)affinity passes through untouched. */
export interface Affinity {
  nodeAffinity?: NodeAffinity;
  [field: string]: unknown;
}

/** The fields a node is matched by (extractNodeFields): its name, metav1.ObjectNameField. */
export const OBJECT_NAME_FIELD = 'metadata.name';

type NodeLike = Pick<KubeObject, 'metadata'>;

const LABEL_OPERATORS = new Map<string, SelectionOperator>([
  ['In', 'in'],
  ['NotIn', 'notin'],
  ['Exists', 'exists'],
  ['DoesNotExist', '!'],
  ['Gt', 'gt'],
  ['Lt', 'lt'],
]);

/** A term parsed; a part the term leaves out is not checked. */
interface ParsedTerm {
  matchLabels?: LabelSelector;
  matchFields?: FieldSelector;
}

/** A pod's spec.affinity.nodeAffinity. */
export function podNodeAffinity(pod: Pick<KubeObject, 'spec'>): NodeAffinity | undefined {
  return (pod.spec?.affinity as Affinity | undefined)?.nodeAffinity;
}

function labelRequirement(r: NodeSelectorRequirement): Requirement | undefined {
  const operator = LABEL_OPERATORS.get(r.operator);
  const values = r.values ?? [];
  if (!operator || validateRequirement(r.key, operator, values).length > 0) return undefined;
  return new Requirement(r.key, operator, values);
}

function fieldRequirement(r: NodeSelectorRequirement): FieldRequirement | undefined {
  if ((r.operator !== 'In' && r.operator !== 'NotIn') || r.values?.length !== 1) return undefined;
  return { field: r.key, operator: r.operator === 'In' ? '=' : '!=', value: r.values[0]! };
}

/** A term parsed (newNodeSelectorTerm); undefined when it can match no node: empty, or a requirement that does not parse. */
function parseNodeSelectorTerm(term: NodeSelectorTerm): ParsedTerm | undefined {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (!expressions.length && !fields.length) return undefined;
  const labels = expressions.map(labelRequirement);
  const fieldRequirements = fields.map(fieldRequirement);
  if (labels.includes(undefined) || fieldRequirements.includes(undefined)) return undefined;
  return {
    matchLabels: labels.length ? LabelSelector.of(labels as Requirement[]) : undefined,
    matchFields: fieldRequirements.length ? new FieldSelector(fieldRequirements as FieldRequirement[]) : undefined,
  };
}

/** A node without a name has no fields to check, so matchFields is skipped for it. */
function termMatches(term: ParsedTerm, node: NodeLike): boolean {
  if (term.matchLabels && !term.matchLabels.matches(node.metadata.labels ?? {})) return false;
  const name = node.metadata.name;
  if (term.matchFields && name && !term.matchFields.matches({ [OBJECT_NAME_FIELD]: name })) return false;
  return true;
}

/** v1.NodeSelector, parsed once (nodeaffinity.LazyErrorNodeSelector): a node matches one of its terms. */
export class NodeSelector {
  private readonly terms: ParsedTerm[];

  constructor(terms: readonly NodeSelectorTerm[]) {
    this.terms = terms.map(parseNodeSelectorTerm).filter((t): t is ParsedTerm => t !== undefined);
  }

  match(node: NodeLike): boolean {
    return this.terms.some((t) => termMatches(t, node));
  }
}

/**
 * spec.nodeSelector and the required node affinity together (nodeaffinity.RequiredNodeAffinity):
 * a node must carry every nodeSelector label and, when the pod has required terms, match one.
 */
export class RequiredNodeAffinity {
  constructor(
    private readonly labelSelector: LabelSelector | undefined,
    private readonly nodeSelector: NodeSelector | undefined,
  ) {}

  match(node: NodeLike): boolean {
    if (this.labelSelector && !this.labelSelector.matches(node.metadata.labels ?? {})) return false;
    return this.nodeSelector ? this.nodeSelector.match(node) : true;
  }
}

/** A pod's nodeSelector and required node affinity, parsed (nodeaffinity.GetRequiredNodeAffinity). */
export function getRequiredNodeAffinity(pod: Pick<KubeObject, 'spec'>): RequiredNodeAffinity {
  const nodeSelector = pod.spec?.nodeSelector as Record<string, string> | undefined;
  const required = podNodeAffinity(pod)?.requiredDuringSchedulingIgnoredDuringExecution;
  return new RequiredNodeAffinity(
    nodeSelector && Object.keys(nodeSelector).length > 0 ? selectorFromSet(nodeSelector) : undefined,
    required ? new NodeSelector(required.nodeSelectorTerms ?? []) : undefined,
  );
}

/**
 * Preferred terms with their weights (nodeaffinity.PreferredSchedulingTerms): a node scores the sum
 * of the weights of the terms it matches. Terms of weight 0, empty ones and ones that do not parse
 * are left out.
 */
export class PreferredSchedulingTerms {
  private readonly terms: Array<{ weight: number; term: ParsedTerm }> = [];

  constructor(terms: readonly PreferredSchedulingTerm[]) {
    for (const { weight, preference } of terms) {
      if (!weight) continue;
      const term = parseNodeSelectorTerm(preference ?? {});
      if (term) this.terms.push({ weight, term });
    }
  }

  /** No term left to score by. */
  isEmpty(): boolean {
    return this.terms.length === 0;
  }

  score(node: NodeLike): number {
    let sum = 0;
    for (const { weight, term } of this.terms) if (termMatches(term, node)) sum += weight;
    return sum;
  }
}
