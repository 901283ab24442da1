import type { NodeSelectorTerm, Taint } from '@kubelab/component-helpers';
import { describe, expect, it } from 'vitest';
import { nodeFixture } from '../../controller/testing-objects';
import { daemonSetFixture, type DaemonSetFixture } from '../../controller/testing-workloads';
import { nodeShouldRunDaemonPod } from './node-should-run';
import type { Node } from './types';

const required = (...nodeSelectorTerms: NodeSelectorTerm[]) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms } } });
const controlPlane: Taint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

interface Case {
  name: string;
  node?: { labels?: Record<string, string>; taints?: Taint[] };
  ds?: DaemonSetFixture;
  shouldRun: boolean;
  shouldContinueRunning: boolean;
}

describe('nodeShouldRunDaemonPod', () => {
  // How selectors, affinity terms and tolerations match is tested in @kubelab/component-helpers; here, how they decide a daemon pod's place.
  it.each<Case>([
    { name: 'a plain node', shouldRun: true, shouldContinueRunning: true },
    { name: 'nodeSelector matches', node: { labels: { disk: 'ssd' } }, ds: { nodeSelector: { disk: 'ssd' } }, shouldRun: true, shouldContinueRunning: true },
    { name: 'nodeSelector does not match', node: { labels: { disk: 'hdd' } }, ds: { nodeSelector: { disk: 'ssd' } }, shouldRun: false, shouldContinueRunning: false },
    { name: 'affinity In matches', node: { labels: { zone: 'a' } }, ds: { affinity: required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }) }, shouldRun: true, shouldContinueRunning: true },
    { name: 'affinity NotIn excludes', node: { labels: { zone: 'a' } }, ds: { affinity: required({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }) }, shouldRun: false, shouldContinueRunning: false },
    { name: 'matchFields metadata.name In this node', ds: { affinity: required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }) }, shouldRun: true, shouldContinueRunning: true },
    { name: 'the template names another node', ds: { nodeName: 'n2' }, shouldRun: false, shouldContinueRunning: false },
    { name: 'the template names this node', ds: { nodeName: 'n1' }, shouldRun: true, shouldContinueRunning: true },
    { name: 'an untolerated NoSchedule taint: not placed, may stay', node: { taints: [controlPlane] }, shouldRun: false, shouldContinueRunning: true },
    { name: 'a tolerated NoSchedule taint', node: { taints: [controlPlane] }, ds: { tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }] }, shouldRun: true, shouldContinueRunning: true },
    { name: 'an untolerated NoExecute taint: must go', node: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] }, shouldRun: false, shouldContinueRunning: false },
    { name: 'Equal toleration with the right value', node: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] }, ds: { tolerations: [{ key: 'dedicated', value: 'db' }] }, shouldRun: true, shouldContinueRunning: true },
    { name: 'PreferNoSchedule does not keep it away', node: { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }, shouldRun: true, shouldContinueRunning: true },
    { name: 'not-ready NoExecute is tolerated by every daemon pod', node: { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] }, shouldRun: true, shouldContinueRunning: true },
    { name: 'unreachable NoExecute is tolerated by every daemon pod', node: { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] }, shouldRun: true, shouldContinueRunning: true },
    { name: 'unschedulable is tolerated', node: { taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] }, shouldRun: true, shouldContinueRunning: true },
    { name: 'disk-pressure is tolerated', node: { taints: [{ key: 'node.kubernetes.io/disk-pressure', effect: 'NoSchedule' }] }, shouldRun: true, shouldContinueRunning: true },
    { name: 'memory-pressure is tolerated', node: { taints: [{ key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' }] }, shouldRun: true, shouldContinueRunning: true },
    { name: 'pid-pressure is tolerated', node: { taints: [{ key: 'node.kubernetes.io/pid-pressure', effect: 'NoSchedule' }] }, shouldRun: true, shouldContinueRunning: true },
    { name: 'network-unavailable keeps out a pod network pod', node: { taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] }, shouldRun: false, shouldContinueRunning: true },
    { name: 'network-unavailable is tolerated by a hostNetwork pod', node: { taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] }, ds: { hostNetwork: true }, shouldRun: true, shouldContinueRunning: true },
  ])('$name', ({ node, ds, shouldRun, shouldContinueRunning }) => {
    expect(nodeShouldRunDaemonPod(nodeFixture<Node>('n1', node), daemonSetFixture('ds', ds))).toEqual({ shouldRun, shouldContinueRunning });
  });
});
