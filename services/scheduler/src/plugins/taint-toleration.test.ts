import { describe, expect, it } from 'vitest';
import { CycleState } from '../framework/cycle-state';
import { NodeInfo } from '../framework/node-info';
import { node, pod } from '../testing/fixtures';
import { TaintToleration } from './taint-toleration';

const plugin = new TaintToleration();
const controlPlane = () => node('cp').taint('node-role.kubernetes.io/control-plane', undefined, 'NoSchedule');

describe('TaintToleration', () => {
  // Which toleration tolerates which taint is tested in @kubelab/component-helpers.
  it.each([
    { name: 'no taints', node: node('n'), pod: pod('p'), code: 'Success', reasons: [] },
    { name: 'the control-plane taint, as kubeadm sets it (no value)', node: controlPlane(), pod: pod('p'), code: 'UnschedulableAndUnresolvable', reasons: ['node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }'] },
    { name: 'a taint with a value', node: node('n').taint('disktype', 'ssd', 'NoSchedule'), pod: pod('p'), code: 'UnschedulableAndUnresolvable', reasons: ['node(s) had untolerated taint {disktype: ssd}'] },
    { name: 'NoExecute keeps pods off too', node: node('n').taint('node.kubernetes.io/unreachable', undefined, 'NoExecute'), pod: pod('p'), code: 'UnschedulableAndUnresolvable', reasons: ['node(s) had untolerated taint {node.kubernetes.io/unreachable: }'] },
    { name: 'PreferNoSchedule does not filter', node: node('n').taint('spot', 'true', 'PreferNoSchedule'), pod: pod('p'), code: 'Success', reasons: [] },
    { name: 'Equal toleration with the same value', node: node('n').taint('disktype', 'ssd', 'NoSchedule'), pod: pod('p').toleration({ key: 'disktype', operator: 'Equal', value: 'ssd', effect: 'NoSchedule' }), code: 'Success', reasons: [] },
    { name: 'the first untolerated taint is the one named', node: node('n').taint('a', '1', 'NoSchedule').taint('b', '2', 'NoSchedule'), pod: pod('p').toleration({ key: 'a', operator: 'Exists' }), code: 'UnschedulableAndUnresolvable', reasons: ['node(s) had untolerated taint {b: 2}'] },
  ])('filter: $name', ({ node: n, pod: p, code, reasons }) => {
    const status = plugin.filter(new CycleState(), p.obj(), new NodeInfo(n.obj()));
    expect({ code: status.code, reasons: status.reasons }).toEqual({ code, reasons });
  });

  it.each([
    {
      name: 'fewer untolerated PreferNoSchedule taints score higher',
      pod: pod('p'),
      nodes: [node('clean'), node('one').taint('a', '1', 'PreferNoSchedule'), node('two').taint('a', '1', 'PreferNoSchedule').taint('b', '2', 'PreferNoSchedule')],
      scores: { clean: 100, one: 50, two: 0 },
    },
    {
      name: 'tolerated ones (a toleration without effect included) do not count',
      pod: pod('p').toleration({ key: 'a', operator: 'Exists' }),
      nodes: [node('clean'), node('one').taint('a', '1', 'PreferNoSchedule'), node('two').taint('a', '1', 'PreferNoSchedule').taint('b', '2', 'PreferNoSchedule')],
      scores: { clean: 100, one: 100, two: 0 },
    },
    { name: 'NoSchedule taints are not scored', pod: pod('p'), nodes: [node('x').taint('a', '1', 'NoSchedule'), node('y')], scores: { x: 100, y: 100 } },
  ])('score, reverse-normalized: $name', ({ pod: p, nodes, scores }) => {
    const state = new CycleState();
    const obj = p.obj();
    const infos = nodes.map((n) => new NodeInfo(n.obj()));
    expect(plugin.preScore(state, obj).isSuccess()).toBe(true);
    const list = infos.map((info) => ({ name: info.name, score: plugin.score(state, obj, info).score }));
    plugin.normalizeScore(state, obj, list);
    expect(Object.fromEntries(list.map((s) => [s.name, s.score]))).toEqual(scores);
  });

  it.each([
    { name: 'a node added without the taint', old: undefined, new: node('n'), hint: 'Queue' },
    { name: 'a node added with it', old: undefined, new: controlPlane(), hint: 'QueueSkip' },
    { name: 'the taint removed', old: controlPlane(), new: node('cp'), hint: 'Queue' },
    { name: 'already tolerated before', old: node('n'), new: node('n').labels({ a: 'b' }), hint: 'QueueSkip' },
  ])('queueing hint: $name', ({ old, new: updated, hint }) => {
    const [registered] = plugin.eventsToRegister();
    expect(registered!.queueingHint!(pod('p').obj(), old?.obj(), updated.obj())).toBe(hint);
  });
});
