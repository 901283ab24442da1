import { describe, expect, it } from 'vitest';
import { ClusterSnapshot } from '../cache/snapshot';
import { CycleState } from '../framework/cycle-state';
import { NodeInfo } from '../framework/node-info';
import type { Code } from '../framework/status';
import { node, pod, type PodBuilder } from '../testing/fixtures';
import { NodeResourcesFit } from './node-resources-fit';

const plugin = new NodeResourcesFit();
const onNode = (n: string) => (p: PodBuilder) => p.nodeName(n).obj();

function filter(incoming: PodBuilder, nodeInfo: NodeInfo): { code: Code; reasons: readonly string[] } {
  const state = new CycleState();
  const p = incoming.obj();
  expect(plugin.preFilter(state, p, new ClusterSnapshot()).status.isSuccess()).toBe(true);
  const status = plugin.filter(state, p, nodeInfo);
  return { code: status.code, reasons: status.reasons };
}

describe('NodeResourcesFit', () => {
  it.each([
    { name: 'fits an empty node', pod: pod('p').req({ cpu: '500m', memory: '1Gi' }), existing: [], allocatable: undefined, code: 'Success', reasons: [] },
    {
      name: 'not enough cpu left',
      pod: pod('p').req({ cpu: '500m' }),
      existing: [pod('a').req({ cpu: '3800m' })],
      allocatable: undefined,
      code: 'Unschedulable',
      reasons: ['Insufficient cpu'],
    },
    {
      name: 'cpu and memory, in that order',
      pod: pod('p').req({ cpu: '3', memory: '7Gi' }),
      existing: [pod('a').req({ cpu: '2', memory: '2Gi' })],
      allocatable: undefined,
      code: 'Unschedulable',
      reasons: ['Insufficient cpu', 'Insufficient memory'],
    },
    { name: 'no room for one more pod', pod: pod('p'), existing: [pod('a')], allocatable: { cpu: '4', memory: '8Gi', pods: '1' }, code: 'Unschedulable', reasons: ['Too many pods'] },
    {
      name: 'an init container asks more than the containers: it counts alone',
      pod: pod('p').req({ cpu: '100m' }).initReq({ cpu: '3' }),
      existing: [pod('a').req({ cpu: '2' })],
      allocatable: undefined,
      code: 'Unschedulable',
      reasons: ['Insufficient cpu'],
    },
    {
      name: 'a sidecar adds to the containers',
      pod: pod('p').req({ cpu: '1500m' }).initReq({ cpu: '1' }, true),
      existing: [pod('a').req({ cpu: '2' })],
      allocatable: undefined,
      code: 'Unschedulable',
      reasons: ['Insufficient cpu'],
    },
    { name: 'more than the whole node: evicting cannot help', pod: pod('p').req({ cpu: '5' }), existing: [], allocatable: undefined, code: 'UnschedulableAndUnresolvable', reasons: ['Insufficient cpu'] },
    { name: 'a pod without requests fits a full node', pod: pod('p'), existing: [pod('a').req({ cpu: '4', memory: '8Gi' })], allocatable: undefined, code: 'Success', reasons: [] },
    { name: 'an extended resource the node lacks', pod: pod('p').req({ 'example.com/gpu': '1' }), existing: [], allocatable: undefined, code: 'UnschedulableAndUnresolvable', reasons: ['Insufficient example.com/gpu'] },
  ])('filter: $name', ({ pod: incoming, existing, allocatable, code, reasons }) => {
    const n = allocatable ? node('n1').allocatable(allocatable) : node('n1');
    const result = filter(incoming, new NodeInfo(n.obj(), existing.map(onNode('n1'))));
    expect(result).toEqual({ code, reasons });
  });

  it.each([
    // (4000 - (1000 + 1000)) * 100 / 4000 = 50 for cpu, the same for memory.
    { name: 'half used with the pod', pod: pod('p').req({ cpu: '1', memory: '2Gi' }), existing: [pod('a').req({ cpu: '1', memory: '2Gi' })], score: 50 },
    { name: 'an empty node', pod: pod('p').req({ cpu: '1', memory: '2Gi' }), existing: [], score: 75 },
    // No requests: scored as 100m and 200Mi: cpu (4000-100)*100/4000 = 97, memory (8192-200)*100/8192 = 97.
    { name: 'a container without requests counts 100m / 200Mi', pod: pod('p').req({}), existing: [], score: 97 },
    { name: 'over capacity scores 0 for that resource', pod: pod('p').req({ cpu: '5', memory: '2Gi' }), existing: [], score: 37 },
  ])('score (LeastAllocated): $name', ({ pod: incoming, existing, score }) => {
    const state = new CycleState();
    const p = incoming.obj();
    plugin.preScore(state, p);
    const result = plugin.score(state, p, new NodeInfo(node('n1').obj(), existing.map(onNode('n1'))));
    expect(result.score).toBe(score);
  });
});
