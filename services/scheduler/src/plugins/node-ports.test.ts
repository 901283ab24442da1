import { describe, expect, it } from 'vitest';
import { ClusterSnapshot } from '../cache/snapshot';
import { CycleState } from '../framework/cycle-state';
import { NodeInfo } from '../framework/node-info';
import { node, pod, type PodBuilder } from '../testing/fixtures';
import { ERR_REASON_NODE_PORTS, NodePorts } from './node-ports';

const plugin = new NodePorts();

describe('NodePorts', () => {
  it.each([
    { name: 'no host port: Filter is skipped', pod: pod('p'), existing: [pod('a').hostPort(8080)], want: 'skipped' },
    { name: 'a free port', pod: pod('p').hostPort(8080), existing: [pod('a').hostPort(9090)], want: 'fits' },
    { name: 'the same port', pod: pod('p').hostPort(8080), existing: [pod('a').hostPort(8080)], want: ERR_REASON_NODE_PORTS },
    { name: 'the same port, another protocol', pod: pod('p').hostPort(53, 'UDP'), existing: [pod('a').hostPort(53, 'TCP')], want: 'fits' },
    { name: '0.0.0.0 clashes with a specific address', pod: pod('p').hostPort(8080), existing: [pod('a').hostPort(8080, 'TCP', '10.0.0.1')], want: ERR_REASON_NODE_PORTS },
    { name: 'a specific address clashes with 0.0.0.0', pod: pod('p').hostPort(8080, 'TCP', '10.0.0.1'), existing: [pod('a').hostPort(8080)], want: ERR_REASON_NODE_PORTS },
    { name: 'two specific addresses do not clash', pod: pod('p').hostPort(8080, 'TCP', '10.0.0.2'), existing: [pod('a').hostPort(8080, 'TCP', '10.0.0.1')], want: 'fits' },
  ])('filter: $name', ({ pod: p, existing, want }) => {
    const state = new CycleState();
    const obj = (p as PodBuilder).obj();
    const pre = plugin.preFilter(state, obj, new ClusterSnapshot());
    if (pre.status.isSkip()) return expect('skipped').toBe(want);
    const status = plugin.filter(state, obj, new NodeInfo(node('n').obj(), existing.map((e) => e.nodeName('n').obj())));
    if (!status.isSuccess()) expect(status.code).toBe('Unschedulable');
    expect(status.isSuccess() ? 'fits' : status.message()).toBe(want);
  });

  it.each([
    { name: 'the deleted pod held the port', deleted: pod('a').hostPort(8080), hint: 'Queue' },
    { name: 'it held another port', deleted: pod('a').hostPort(9090), hint: 'QueueSkip' },
  ])('queueing hint on an assigned pod deleted: $name', ({ deleted, hint }) => {
    const registered = plugin.eventsToRegister().find((e) => e.event.resource === 'Pod')!;
    expect(registered.queueingHint!(pod('p').hostPort(8080).obj(), deleted.nodeName('n').obj(), undefined)).toBe(hint);
  });
});
