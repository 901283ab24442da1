import type { KubeObject } from '@kubelab/apimachinery';
import { describe, expect, it } from 'vitest';
import { getRequiredNodeAffinity, PreferredSchedulingTerms, type NodeSelectorRequirement, type NodeSelectorTerm } from './node-affinity';

const node = (labels: Record<string, string> = {}, name = 'n1'): KubeObject => ({ metadata: { name, labels } });
const required = (...nodeSelectorTerms: NodeSelectorTerm[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms } } } });
/** A pod with one required term of one expression. */
const expression = (key: string, operator: string, values?: string[]) => required({ matchExpressions: [{ key, operator, ...(values ? { values } : {}) }] });
const field = (...matchFields: NodeSelectorRequirement[]) => required({ matchFields });

describe('getRequiredNodeAffinity(pod).match(node)', () => {
  it.each<{ name: string; spec: Record<string, unknown>; node: KubeObject; want: boolean }>([
    { name: 'nothing asked', spec: {}, node: node(), want: true },
    { name: 'an empty nodeSelector', spec: { nodeSelector: {} }, node: node(), want: true },
    { name: 'nodeSelector matched', spec: { nodeSelector: { disktype: 'ssd' } }, node: node({ disktype: 'ssd' }), want: true },
    { name: 'nodeSelector, another value', spec: { nodeSelector: { disktype: 'ssd' } }, node: node({ disktype: 'hdd' }), want: false },
    { name: 'nodeSelector label missing', spec: { nodeSelector: { disktype: 'ssd' } }, node: node(), want: false },
    { name: 'In', spec: expression('zone', 'In', ['a', 'b']), node: node({ zone: 'b' }), want: true },
    { name: 'In, another value', spec: expression('zone', 'In', ['a', 'b']), node: node({ zone: 'c' }), want: false },
    { name: 'In, label missing', spec: expression('zone', 'In', ['a']), node: node(), want: false },
    { name: 'NotIn', spec: expression('zone', 'NotIn', ['a']), node: node({ zone: 'b' }), want: true },
    { name: 'NotIn matches a node without the label', spec: expression('zone', 'NotIn', ['a']), node: node(), want: true },
    { name: 'NotIn, listed value', spec: expression('zone', 'NotIn', ['a']), node: node({ zone: 'a' }), want: false },
    { name: 'Exists, an empty value', spec: expression('gpu', 'Exists'), node: node({ gpu: '' }), want: true },
    { name: 'Exists, missing', spec: expression('gpu', 'Exists'), node: node(), want: false },
    { name: 'DoesNotExist', spec: expression('gpu', 'DoesNotExist'), node: node(), want: true },
    { name: 'DoesNotExist, present', spec: expression('gpu', 'DoesNotExist'), node: node({ gpu: 'x' }), want: false },
    { name: 'Gt', spec: expression('cores', 'Gt', ['8']), node: node({ cores: '16' }), want: true },
    { name: 'Gt, equal is not greater', spec: expression('cores', 'Gt', ['8']), node: node({ cores: '8' }), want: false },
    { name: 'Gt, a label that is not a number', spec: expression('cores', 'Gt', ['8']), node: node({ cores: 'many' }), want: false },
    { name: 'Lt', spec: expression('cores', 'Lt', ['8']), node: node({ cores: '4' }), want: true },
    { name: 'Lt, more is not less', spec: expression('cores', 'Lt', ['4']), node: node({ cores: '8' }), want: false },
    { name: 'invalid: Lt with two values matches nothing', spec: expression('cores', 'Lt', ['8', '9']), node: node({ cores: '4' }), want: false },
    { name: 'invalid: Gt with a value that is not an integer', spec: expression('cores', 'Gt', ['four']), node: node({ cores: '8' }), want: false },
    { name: 'invalid: In without values', spec: expression('zone', 'In', []), node: node({ zone: 'a' }), want: false },
    { name: 'invalid: Exists with values', spec: expression('zone', 'Exists', ['a']), node: node({ zone: 'a' }), want: false },
    { name: 'invalid: an unknown operator', spec: expression('zone', 'Equals', ['a']), node: node({ zone: 'a' }), want: false },
    { name: 'invalid: a key that is not a label key', spec: expression('not a key', 'Exists'), node: node({ 'not a key': '' }), want: false },
    {
      name: 'an invalid term does not spoil a valid one (terms are ORed)',
      spec: required({ matchExpressions: [{ key: 'zone', operator: 'Bogus' }] }, { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }),
      node: node({ zone: 'a' }),
      want: true,
    },
    {
      name: 'terms are ORed',
      spec: required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, { matchExpressions: [{ key: 'disktype', operator: 'In', values: ['ssd'] }] }),
      node: node({ disktype: 'ssd' }),
      want: true,
    },
    {
      name: 'expressions of a term are ANDed',
      spec: required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }, { key: 'disktype', operator: 'In', values: ['ssd'] }] }),
      node: node({ disktype: 'ssd' }),
      want: false,
    },
    {
      name: 'expressions and fields of a term are ANDed',
      spec: required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }], matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }),
      node: node({ zone: 'b' }),
      want: false,
    },
    { name: 'an empty term matches nothing', spec: required({}), node: node(), want: false },
    { name: 'no term at all matches nothing', spec: required(), node: node(), want: false },
    { name: 'nodeSelector and affinity must both match', spec: { nodeSelector: { disktype: 'ssd' }, ...expression('zone', 'In', ['a']) }, node: node({ zone: 'a' }), want: false },
    { name: 'matchFields metadata.name In this node', spec: field({ key: 'metadata.name', operator: 'In', values: ['n1'] }), node: node(), want: true },
    { name: 'matchFields metadata.name In another node', spec: field({ key: 'metadata.name', operator: 'In', values: ['n2'] }), node: node(), want: false },
    { name: 'matchFields metadata.name NotIn another node', spec: field({ key: 'metadata.name', operator: 'NotIn', values: ['n2'] }), node: node(), want: true },
    { name: 'matchFields metadata.name NotIn this node', spec: field({ key: 'metadata.name', operator: 'NotIn', values: ['n1'] }), node: node(), want: false },
    { name: 'invalid: matchFields In two names', spec: field({ key: 'metadata.name', operator: 'In', values: ['n1', 'n2'] }), node: node(), want: false },
    { name: 'invalid: matchFields Exists', spec: field({ key: 'metadata.name', operator: 'Exists' }), node: node(), want: false },
    { name: 'matchFields on a field a node lacks: its value is empty', spec: field({ key: 'spec.providerID', operator: 'NotIn', values: ['x'] }), node: node(), want: true },
    { name: 'a node without a name is not checked by matchFields', spec: field({ key: 'metadata.name', operator: 'In', values: ['n2'] }), node: node({}, ''), want: true },
  ])('$name', ({ spec, node: n, want }) => {
    expect(getRequiredNodeAffinity({ spec }).match(n)).toBe(want);
  });
});

describe('PreferredSchedulingTerms', () => {
  const zoneA: NodeSelectorTerm = { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] };
  const ssd: NodeSelectorTerm = { matchExpressions: [{ key: 'disktype', operator: 'In', values: ['ssd'] }] };

  it.each([
    { name: 'the weights of the matched terms add up', node: node({ zone: 'a', disktype: 'ssd' }), want: 100 },
    { name: 'one term matched', node: node({ zone: 'a' }), want: 80 },
    { name: 'none matched', node: node(), want: 0 },
  ])('score: $name', ({ node: n, want }) => {
    expect(new PreferredSchedulingTerms([{ weight: 80, preference: zoneA }, { weight: 20, preference: ssd }]).score(n)).toBe(want);
  });

  it.each([
    { name: 'weight 0', terms: [{ weight: 0, preference: zoneA }] },
    { name: 'an empty preference', terms: [{ weight: 10, preference: {} }] },
    { name: 'a preference that does not parse', terms: [{ weight: 10, preference: { matchExpressions: [{ key: 'zone', operator: 'Gt', values: ['a'] }] } }] },
  ])('left out: $name', ({ terms }) => {
    const preferred = new PreferredSchedulingTerms(terms);
    expect(preferred.isEmpty()).toBe(true);
    expect(preferred.score(node({ zone: 'a' }))).toBe(0);
  });
});
