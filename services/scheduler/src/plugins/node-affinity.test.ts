import { describe, expect, it } from 'vitest';
import { ClusterSnapshot } from '../cache/snapshot';
import { CycleState } from '../framework/cycle-state';
import { NodeInfo } from '../framework/node-info';
import { node, pod, type PodBuilder } from '../testing/fixtures';
import { ERR_REASON_POD, NodeAffinity } from './node-affinity';

const plugin = new NodeAffinity();
const worker = (labels: Record<string, string> = {}) => node('worker').labels(labels);

function filter(p: PodBuilder, n: ReturnType<typeof worker>) {
  const state = new CycleState();
  const obj = p.obj();
  const pre = plugin.preFilter(state, obj, new ClusterSnapshot());
  if (pre.status.isSkip()) return 'skipped';
  if (!pre.status.isSuccess()) return pre.status.message();
  const status = plugin.filter(state, obj, new NodeInfo(n.obj()));
  if (status.isSuccess()) return 'fits';
  expect(status.code).toBe('UnschedulableAndUnresolvable');
  return status.message();
}

describe('NodeAffinity', () => {
  it.each([
    { name: 'nothing asked: Filter is skipped', pod: pod('p'), node: worker(), want: 'skipped' },
    { name: 'nodeSelector matched', pod: pod('p').nodeSelector({ disktype: 'ssd' }), node: worker({ disktype: 'ssd' }), want: 'fits' },
    { name: 'nodeSelector not matched', pod: pod('p').nodeSelector({ disktype: 'ssd' }), node: worker({ disktype: 'hdd' }), want: ERR_REASON_POD },
    { name: 'nodeSelector label missing', pod: pod('p').nodeSelector({ disktype: 'ssd' }), node: worker(), want: ERR_REASON_POD },
    { name: 'In', pod: pod('p').nodeAffinity('zone', 'In', ['a', 'b']), node: worker({ zone: 'b' }), want: 'fits' },
    { name: 'In, other value', pod: pod('p').nodeAffinity('zone', 'In', ['a', 'b']), node: worker({ zone: 'c' }), want: ERR_REASON_POD },
    { name: 'NotIn', pod: pod('p').nodeAffinity('zone', 'NotIn', ['a']), node: worker({ zone: 'b' }), want: 'fits' },
    { name: 'NotIn matches a node without the label', pod: pod('p').nodeAffinity('zone', 'NotIn', ['a']), node: worker(), want: 'fits' },
    { name: 'NotIn, listed value', pod: pod('p').nodeAffinity('zone', 'NotIn', ['a']), node: worker({ zone: 'a' }), want: ERR_REASON_POD },
    { name: 'Exists', pod: pod('p').nodeAffinity('gpu', 'Exists'), node: worker({ gpu: '' }), want: 'fits' },
    { name: 'Exists, missing', pod: pod('p').nodeAffinity('gpu', 'Exists'), node: worker(), want: ERR_REASON_POD },
    { name: 'DoesNotExist', pod: pod('p').nodeAffinity('gpu', 'DoesNotExist'), node: worker(), want: 'fits' },
    { name: 'DoesNotExist, present', pod: pod('p').nodeAffinity('gpu', 'DoesNotExist'), node: worker({ gpu: 'x' }), want: ERR_REASON_POD },
    { name: 'Gt', pod: pod('p').nodeAffinity('cores', 'Gt', ['8']), node: worker({ cores: '16' }), want: 'fits' },
    { name: 'Gt, equal is not greater', pod: pod('p').nodeAffinity('cores', 'Gt', ['8']), node: worker({ cores: '8' }), want: ERR_REASON_POD },
    { name: 'Gt, a label that is not a number', pod: pod('p').nodeAffinity('cores', 'Gt', ['8']), node: worker({ cores: 'many' }), want: ERR_REASON_POD },
    { name: 'Lt', pod: pod('p').nodeAffinity('cores', 'Lt', ['8']), node: worker({ cores: '4' }), want: 'fits' },
    { name: 'Lt with two values is invalid: matches nothing', pod: pod('p').nodeAffinity('cores', 'Lt', ['8', '9']), node: worker({ cores: '4' }), want: ERR_REASON_POD },
    {
      name: 'terms are ORed',
      pod: pod('p').requiredTerms({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, { matchExpressions: [{ key: 'disktype', operator: 'In', values: ['ssd'] }] }),
      node: worker({ disktype: 'ssd' }),
      want: 'fits',
    },
    {
      name: 'expressions of a term are ANDed',
      pod: pod('p').requiredTerms({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }, { key: 'disktype', operator: 'In', values: ['ssd'] }] }),
      node: worker({ disktype: 'ssd' }),
      want: ERR_REASON_POD,
    },
    { name: 'an empty term matches nothing', pod: pod('p').requiredTerms({}), node: worker(), want: ERR_REASON_POD },
    { name: 'nodeSelector and affinity must both match', pod: pod('p').nodeSelector({ disktype: 'ssd' }).nodeAffinity('zone', 'In', ['a']), node: worker({ zone: 'a' }), want: ERR_REASON_POD },
    { name: 'matchFields metadata.name', pod: pod('p').requiredTerms({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['worker'] }] }), node: worker(), want: 'fits' },
    { name: 'matchFields metadata.name, another node', pod: pod('p').requiredTerms({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['other'] }] }), node: worker(), want: ERR_REASON_POD },
    {
      name: 'matchFields that intersect to nothing conflict in PreFilter',
      pod: pod('p').requiredTerms({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a'] }, { key: 'metadata.name', operator: 'In', values: ['b'] }] }),
      node: worker(),
      want: 'pod affinity terms conflict',
    },
  ])('filter: $name', ({ pod: p, node: n, want }) => {
    expect(filter(p, n)).toBe(want);
  });

  it.each([
    { name: 'one term per node name', terms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a', 'b'] }] }], names: ['a', 'b'] },
    { name: 'ORed terms: the union', terms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a'] }] }, { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['c'] }] }], names: ['a', 'c'] },
    { name: 'a term without names lets every node in', terms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a'] }] }, { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }], names: undefined },
  ])('preFilter narrows the nodes: $name', ({ terms, names }) => {
    const result = plugin.preFilter(new CycleState(), pod('p').requiredTerms(...terms).obj(), new ClusterSnapshot());
    expect(result.nodeNames ? [...result.nodeNames].sort() : undefined).toEqual(names);
  });

  it('score: preferred terms by weight, normalized to 100 for the best node', () => {
    const p = pod('p')
      .preferred(80, { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] })
      .preferred(20, { matchExpressions: [{ key: 'disktype', operator: 'In', values: ['ssd'] }] })
      .obj();
    const nodes = [worker({ zone: 'a', disktype: 'ssd' }), node('zone-a').labels({ zone: 'a' }), node('ssd').labels({ disktype: 'ssd' }), node('none')].map((n) => new NodeInfo(n.obj()));
    const state = new CycleState();
    expect(plugin.preScore(state, p).isSuccess()).toBe(true);
    const scores = nodes.map((n) => ({ name: n.name, score: plugin.score(state, p, n).score }));
    expect(scores.map((s) => s.score)).toEqual([100, 80, 20, 0]);
    // Rescaled so the best scores 100: 80 / 80 → 100, 20 / 80 → 25.
    const rest = scores.slice(1);
    plugin.normalizeScore(state, p, rest);
    expect(rest.map((s) => s.score)).toEqual([100, 25, 0]);
  });

  it('score is skipped for a pod without preferred terms', () => {
    expect(plugin.preScore(new CycleState(), pod('p').nodeSelector({ a: 'b' }).obj()).isSkip()).toBe(true);
  });

  it.each([
    { name: 'a node labelled to match', old: worker(), new: worker({ disktype: 'ssd' }), hint: 'Queue' },
    { name: 'a label that does not help', old: worker(), new: worker({ other: 'x' }), hint: 'QueueSkip' },
    { name: 'a new node that matches', old: undefined, new: worker({ disktype: 'ssd' }), hint: 'Queue' },
    { name: 'matched before too', old: worker({ disktype: 'ssd' }), new: worker({ disktype: 'ssd', x: 'y' }), hint: 'QueueSkip' },
  ])('queueing hint: $name', ({ old, new: updated, hint }) => {
    const [registered] = plugin.eventsToRegister();
    expect(registered!.queueingHint!(pod('p').nodeSelector({ disktype: 'ssd' }).obj(), old?.obj(), updated.obj())).toBe(hint);
  });
});
