import type { Node, Pod } from '../../framework/types';

/**
 * Node selectors as the scheduler matches them (k8s.io/component-helpers/scheduling/corev1/nodeaffinity):
 * terms are ORed, the requirements of a term ANDed; a term with no requirement matches no node,
 * and a term with an invalid requirement (a Gt without one integer) matches none either, rather
 * than failing the pod. `matchFields` knows one field, metadata.name.
 */
export interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt' | string;
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export interface PreferredSchedulingTerm {
  weight: number;
  preference: NodeSelectorTerm;
}

interface NodeAffinitySpec {
  requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] } | null;
  preferredDuringSchedulingIgnoredDuringExecution?: PreferredSchedulingTerm[] | null;
}

type Matcher = (node: Node) => boolean;

const INTEGER = /^[+-]?\d+$/;

/** One requirement as a test of the value at its key (undefined when the key is absent); undefined when invalid. */
function requirement(r: NodeSelectorRequirement): ((value: string | undefined) => boolean) | undefined {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return values.length ? (v) => v !== undefined && values.includes(v) : undefined;
    case 'NotIn':
      return values.length ? (v) => v === undefined || !values.includes(v) : undefined;
    case 'Exists':
      return values.length ? undefined : (v) => v !== undefined;
    case 'DoesNotExist':
      return values.length ? undefined : (v) => v === undefined;
    case 'Gt':
    case 'Lt': {
      if (values.length !== 1 || !INTEGER.test(values[0]!)) return undefined;
      const bound = Number(values[0]);
      const gt = r.operator === 'Gt';
      return (v) => v !== undefined && INTEGER.test(v) && (gt ? Number(v) > bound : Number(v) < bound);
    }
    default:
      return undefined;
  }
}

/** A term as one test of a node; undefined when it can match no node. */
export function compileNodeSelectorTerm(term: NodeSelectorTerm): Matcher | undefined {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (!exprs.length && !fields.length) return undefined;
  const tests: Matcher[] = [];
  for (const r of exprs) {
    const test = requirement(r);
    if (!test) return undefined;
    tests.push((node) => test(node.metadata.labels?.[r.key]));
  }
  for (const r of fields) {
    const test = requirement(r);
    if (!test || r.key !== 'metadata.name' || (r.operator !== 'In' && r.operator !== 'NotIn')) return undefined;
    tests.push((node) => test(node.metadata.name));
  }
  return (node) => tests.every((t) => t(node));
}

/** ORed terms (v1.NodeSelector). */
export function compileNodeSelector(terms: readonly NodeSelectorTerm[]): Matcher {
  const compiled = terms.map(compileNodeSelectorTerm).filter((m): m is Matcher => m !== undefined);
  return (node) => compiled.some((m) => m(node));
}

function nodeAffinityOf(pod: Pod): NodeAffinitySpec | undefined {
  return (pod.spec?.affinity as { nodeAffinity?: NodeAffinitySpec } | undefined)?.nodeAffinity;
}

/** The required node terms of a pod, if it has any (nodeSelectorTerms may be empty: then nothing matches). */
export function requiredNodeSelectorTerms(pod: Pod): NodeSelectorTerm[] | undefined {
  const required = nodeAffinityOf(pod)?.requiredDuringSchedulingIgnoredDuringExecution;
  return required ? (required.nodeSelectorTerms ?? []) : undefined;
}

export function preferredSchedulingTerms(pod: Pod): PreferredSchedulingTerm[] {
  return nodeAffinityOf(pod)?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
}

/**
 * spec.nodeSelector and the required node affinity together (nodeaffinity.RequiredNodeAffinity):
 * a node must carry every nodeSelector label and match one of the terms.
 */
export class RequiredNodeAffinity {
  private readonly labelSelector: Array<[string, string]>;
  private readonly terms: Matcher | undefined;

  constructor(pod: Pod) {
    this.labelSelector = Object.entries((pod.spec?.nodeSelector ?? {}) as Record<string, string>);
    const terms = requiredNodeSelectorTerms(pod);
    this.terms = terms ? compileNodeSelector(terms) : undefined;
  }

  match(node: Node): boolean {
    const labels = node.metadata.labels ?? {};
    for (const [key, value] of this.labelSelector) if (labels[key] !== value) return false;
    return this.terms ? this.terms(node) : true;
  }
}

/** Preferred terms with their weights; a node scores the sum of the weights it matches (nodeaffinity.PreferredSchedulingTerms). */
export class PreferredNodeAffinity {
  private readonly terms: Array<{ weight: number; match: Matcher }>;

  constructor(terms: readonly PreferredSchedulingTerm[]) {
    this.terms = [];
    for (const t of terms) {
      if (!t.weight) continue;
      const match = compileNodeSelectorTerm(t.preference ?? {});
      if (match) this.terms.push({ weight: t.weight, match });
    }
  }

  get empty(): boolean {
    return this.terms.length === 0;
  }

  score(node: Node): number {
    let sum = 0;
    for (const t of this.terms) if (t.match(node)) sum += t.weight;
    return sum;
  }
}
