import { describe, expect, it } from 'vitest';
import { rollingUpdate } from './rolling-update';
import { nodeFixture } from '../../controller/testing-objects';
import { daemonPodFixture, daemonSetFixture } from '../../controller/testing-workloads';
import type { IntOrString } from '../../controller/int-or-string';
import type { Pod } from './types';

const NOW = Date.parse('2026-01-01T01:00:00Z');
const READY = '2026-01-01T00:00:00Z';
const oldReady = (node: string) => daemonPodFixture(`old-${node}`, { node, hash: 'old', readySince: READY });
const oldUnready = (node: string) => daemonPodFixture(`old-${node}`, { node, hash: 'old' });
const newReady = (node: string) => daemonPodFixture(`new-${node}`, { node, hash: 'new', readySince: READY });
const newUnready = (node: string) => daemonPodFixture(`new-${node}`, { node, hash: 'new' });

interface Case {
  name: string;
  maxUnavailable?: IntOrString;
  maxSurge?: IntOrString;
  /** Nodes n1..nN; pods by node. */
  nodes: number;
  pods: Pod[];
  /** Nodes that should no longer run the pod. */
  excluded?: string[];
  oldPodsToDelete: string[];
  nodesToCreate?: string[];
}

describe('rollingUpdate', () => {
  it.each<Case>([
    { name: 'maxUnavailable 1: one old pod at a time, in node order', nodes: 3, pods: [oldReady('n3'), oldReady('n1'), oldReady('n2')], oldPodsToDelete: ['old-n1'] },
    { name: 'a new pod not yet available uses up the budget', nodes: 3, pods: [newUnready('n1'), oldReady('n2'), oldReady('n3')], oldPodsToDelete: [] },
    { name: 'an available new pod frees the budget for the next', nodes: 3, pods: [newReady('n1'), oldReady('n2'), oldReady('n3')], oldPodsToDelete: ['old-n2'] },
    { name: 'a node without a pod counts as unavailable', nodes: 3, pods: [oldReady('n2'), oldReady('n3')], oldPodsToDelete: [] },
    { name: 'an unavailable old pod is replaced whatever the budget', nodes: 3, pods: [newUnready('n1'), oldUnready('n2'), oldReady('n3')], oldPodsToDelete: ['old-n2'] },
    { name: 'maxUnavailable 2', maxUnavailable: 2, nodes: 3, pods: [oldReady('n1'), oldReady('n2'), oldReady('n3')], oldPodsToDelete: ['old-n1', 'old-n2'] },
    { name: 'maxUnavailable 50% of 3 rounds up to 2', maxUnavailable: '50%', nodes: 3, pods: [oldReady('n1'), oldReady('n2'), oldReady('n3')], oldPodsToDelete: ['old-n1', 'old-n2'] },
    { name: 'maxUnavailable 0 and maxSurge 0 falls back to 1', maxUnavailable: 0, nodes: 2, pods: [oldReady('n1'), oldReady('n2')], oldPodsToDelete: ['old-n1'] },
    { name: 'two pods on a node: left to the manage loop, counted unavailable', nodes: 2, pods: [oldReady('n1'), daemonPodFixture('dup-n1', { node: 'n1', hash: 'old' }), oldReady('n2')], oldPodsToDelete: [] },
    { name: 'everything up to date: nothing', nodes: 2, pods: [newReady('n1'), newReady('n2')], oldPodsToDelete: [] },
    { name: 'maxSurge 1: a new pod beside the first old one', maxUnavailable: 0, maxSurge: 1, nodes: 3, pods: [oldReady('n1'), oldReady('n2'), oldReady('n3')], oldPodsToDelete: [], nodesToCreate: ['n1'] },
    { name: 'maxSurge 1: waits while the surged pod is not available', maxUnavailable: 0, maxSurge: 1, nodes: 2, pods: [oldReady('n1'), newUnready('n1'), oldReady('n2')], oldPodsToDelete: [], nodesToCreate: [] },
    { name: 'maxSurge 1: the surged pod is available, its old pod goes and the next node surges', maxUnavailable: 0, maxSurge: 1, nodes: 2, pods: [oldReady('n1'), newReady('n1'), oldReady('n2')], oldPodsToDelete: ['old-n1'], nodesToCreate: ['n2'] },
    { name: 'maxSurge: an unavailable old pod gets its new pod at once', maxUnavailable: 0, maxSurge: 1, nodes: 3, pods: [oldReady('n1'), newUnready('n1'), oldUnready('n2'), oldReady('n3')], oldPodsToDelete: [], nodesToCreate: ['n2'] },
    { name: 'maxSurge: an unavailable old pod on a node it no longer fits just goes', maxUnavailable: 0, maxSurge: 1, nodes: 2, pods: [oldUnready('n1'), newReady('n2')], excluded: ['n1'], oldPodsToDelete: ['old-n1'], nodesToCreate: [] },
    { name: 'maxSurge: an available old pod on a node it no longer fits goes once the rest are available', maxUnavailable: 0, maxSurge: 1, nodes: 3, pods: [oldReady('n1'), newReady('n2'), newReady('n3')], excluded: ['n1'], oldPodsToDelete: ['old-n1'], nodesToCreate: [] },
    { name: 'maxSurge: ...and stays while they are not', maxUnavailable: 0, maxSurge: 1, nodes: 3, pods: [oldReady('n1'), newReady('n2'), newUnready('n3')], excluded: ['n1'], oldPodsToDelete: [], nodesToCreate: [] },
  ])('$name', ({ maxUnavailable, maxSurge, nodes, pods, excluded, oldPodsToDelete, nodesToCreate }) => {
    const ds = daemonSetFixture('ds', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: maxUnavailable ?? 1, maxSurge: maxSurge ?? 0 } } });
    const nodeToDaemonPods = new Map<string, Pod[]>();
    for (const pod of pods) {
      const node = (pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]?.matchFields?.[0]?.values?.[0])!;
      nodeToDaemonPods.set(node, [...(nodeToDaemonPods.get(node) ?? []), pod]);
    }
    const plan = rollingUpdate({
      ds,
      hash: 'new',
      now: NOW,
      nodes: Array.from({ length: nodes }, (_, i) => nodeFixture(`n${i + 1}`)),
      nodeToDaemonPods,
      shouldRun: (node) => !excluded?.includes(node.metadata.name!),
    });
    expect(plan).toEqual({ oldPodsToDelete, nodesToCreate: nodesToCreate ?? [] });
  });

  it('refuses a maxUnavailable that is neither a number nor a percentage', () => {
    const ds = daemonSetFixture('ds', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 'one' } } });
    expect(() => rollingUpdate({ ds, hash: 'new', now: NOW, nodes: [nodeFixture('n1')], nodeToDaemonPods: new Map(), shouldRun: () => true })).toThrow(/IntOrString/);
  });
});
