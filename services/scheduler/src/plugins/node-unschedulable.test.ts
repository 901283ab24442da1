import { describe, expect, it } from 'vitest';
import { CycleState } from '../framework/cycle-state';
import { NodeInfo } from '../framework/node-info';
import { node, pod } from '../testing/fixtures';
import { NodeUnschedulable } from './node-unschedulable';

const plugin = new NodeUnschedulable();

describe('NodeUnschedulable', () => {
  it.each([
    { name: 'a schedulable node', node: node('n'), pod: pod('p'), code: 'Success', reasons: [] },
    { name: 'a cordoned node', node: node('n').unschedulable(), pod: pod('p'), code: 'UnschedulableAndUnresolvable', reasons: ['node(s) were unschedulable'] },
    {
      name: 'a pod tolerating node.kubernetes.io/unschedulable:NoSchedule',
      node: node('n').unschedulable(),
      pod: pod('p').toleration({ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }),
      code: 'Success',
      reasons: [],
    },
    { name: 'a toleration of another effect does not do', node: node('n').unschedulable(), pod: pod('p').toleration({ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoExecute' }), code: 'UnschedulableAndUnresolvable', reasons: ['node(s) were unschedulable'] },
  ])('filter: $name', ({ node: n, pod: p, code, reasons }) => {
    const status = plugin.filter(new CycleState(), p.obj(), new NodeInfo(n.obj()));
    expect({ code: status.code, reasons: status.reasons }).toEqual({ code, reasons });
  });

  it.each([
    { name: 'uncordoned', old: node('n').unschedulable(), new: node('n'), hint: 'Queue' },
    { name: 'cordoned', old: node('n'), new: node('n').unschedulable(), hint: 'QueueSkip' },
    { name: 'a new schedulable node', old: undefined, new: node('n'), hint: 'Queue' },
  ])('queueing hint: $name', ({ old, new: updated, hint }) => {
    const [registered] = plugin.eventsToRegister();
    expect(registered!.queueingHint!(pod('p').obj(), old?.obj(), updated.obj())).toBe(hint);
  });
});
