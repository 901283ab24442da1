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
  // The matching itself (operators, invalid terms, ORed terms) is tested with RequiredNodeAffinity in @kubelab/component-helpers.
  it.each([
    { name: 'nothing asked: Filter is skipped', pod: pod('p'), node: worker(), want: 'skipped' },
    { name: 'nodeSelector matched', pod: pod('p').nodeSelector({ disktype: 'ssd' }), node: worker({ disktype: 'ssd' }), want: 'fits' },
    { name: 'nodeSelector not matched', pod: pod('p').nodeSelector({ disktype: 'ssd' }), node: worker({ disktype: 'hdd' }), want: ERR_REASON_POD },
    { name: 'required affinity matched', pod: pod('p').nodeAffinity('zone', 'In', ['a', 'b']), node: worker({ zone: 'b' }), want: 'fits' },
    { name: 'required affinity not matched', pod: pod('p').nodeAffinity('zone', 'In', ['a', 'b']), node: worker({ zone: 'c' }), want: ERR_REASON_POD },
    { name: 'an empty term: PreFilter lets it through, Filter rejects', pod: pod('p').requiredTerms({}), node: worker(), want: ERR_REASON_POD },
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
