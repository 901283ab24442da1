import { InformerFactory, Resources, type KubeObject, type ObjectsClient } from '@kubelab/client';
import { describe, expect, it } from 'vitest';
import { CycleState } from '../framework/cycle-state';
import { NodeInfo } from '../framework/node-info';
import { newPodInfo } from '../framework/pod-info';
import type { Node, NodeScore, Pod } from '../framework/types';
import { filterVerdicts, pluginHandle, snapshotOf } from '../testing/framework';
import type { TopologySpreadConstraintSpec } from './pod-topology-spread-constraints';
import { ERR_REASON_CONSTRAINTS_NOT_MATCH as SKEW, ERR_REASON_NODE_LABEL_NOT_MATCH as NO_LABEL, PodTopologySpread } from './pod-topology-spread';

const HOST = 'kubernetes.io/hostname';
const ZONE = 'topology.kubernetes.io/zone';

type Constraint = Partial<TopologySpreadConstraintSpec>;

const spread = (c: Constraint = {}): TopologySpreadConstraintSpec => ({
  maxSkew: 1,
  topologyKey: ZONE,
  whenUnsatisfiable: 'DoNotSchedule',
  labelSelector: { matchLabels: { app: 'web' } },
  ...c,
});

interface PodOptions {
  labels?: Record<string, string>;
  namespace?: string;
  node?: string;
  constraints?: TopologySpreadConstraintSpec[];
  nodeSelector?: Record<string, string>;
  terminating?: boolean;
  owner?: { kind: string; name: string };
}

let seq = 0;
function pod(o: PodOptions = {}): Pod {
  const name = `p${++seq}`;
  return {
    metadata: {
      name,
      uid: `uid-${name}`,
      namespace: o.namespace ?? 'default',
      labels: o.labels ?? { app: 'web' },
      deletionTimestamp: o.terminating ? '2024-01-01T00:00:00Z' : undefined,
      ownerReferences: o.owner ? [{ apiVersion: 'apps/v1', kind: o.owner.kind, name: o.owner.name, uid: 'x', controller: true }] : undefined,
    },
    spec: { nodeName: o.node, topologySpreadConstraints: o.constraints, nodeSelector: o.nodeSelector },
  };
}

/** `count` web pods (or `o`) on `node`. */
const on = (node: string, count: number, o: PodOptions = {}) => Array.from({ length: count }, () => pod({ ...o, node }));

/** n1, n2 in zone a; n3, n4 in zone b; n5 without a zone. n1 and n3 have an ssd; n2 is tainted. */
const NODES: Node[] = [
  { metadata: { name: 'n1', labels: { [HOST]: 'n1', [ZONE]: 'a', disk: 'ssd' } } },
  { metadata: { name: 'n2', labels: { [HOST]: 'n2', [ZONE]: 'a' } }, spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] } },
  { metadata: { name: 'n3', labels: { [HOST]: 'n3', [ZONE]: 'b', disk: 'ssd' } } },
  { metadata: { name: 'n4', labels: { [HOST]: 'n4', [ZONE]: 'b' } } },
  { metadata: { name: 'n5', labels: { [HOST]: 'n5' } } },
];

function cluster(existing: Pod[], objects: { services?: KubeObject[]; replicaSets?: KubeObject[] } = {}) {
  const nodeInfos = NODES.map((n) => new NodeInfo(n, existing.filter((p) => p.spec?.nodeName === n.metadata.name)));
  const snapshot = snapshotOf(nodeInfos);
  // Informers that are never started: their caches are filled by hand.
  const factory = new InformerFactory({ client: {} as ObjectsClient });
  for (const s of objects.services ?? []) factory.informer(Resources.services).indexer.update(s);
  for (const rs of objects.replicaSets ?? []) factory.informer(Resources.replicasets).indexer.update(rs);
  return { nodeInfos, snapshot, plugin: new PodTopologySpread(pluginHandle(snapshot, factory)) };
}

const U = `Unschedulable: ${SKEW}`;
const UR = `UnschedulableAndUnresolvable: ${NO_LABEL}`;

describe('PodTopologySpread filter (DoNotSchedule)', () => {
  it.each([
    {
      name: 'maxSkew 1 by zone: 2 in a, 1 in b → only b; a node without the key is refused for good',
      existing: [...on('n1', 1), ...on('n2', 1), ...on('n3', 1)],
      incoming: pod({ constraints: [spread()] }),
      want: { n1: U, n2: U, n3: 'ok', n4: 'ok', n5: UR },
    },
    {
      name: 'a pod its own selector does not match adds nothing to the skew',
      existing: [...on('n1', 1), ...on('n2', 1), ...on('n3', 1)],
      incoming: pod({ labels: { app: 'other' }, constraints: [spread()] }),
      want: { n1: 'ok', n2: 'ok', n3: 'ok', n4: 'ok', n5: UR },
    },
    {
      name: 'minDomains above the domain count makes the global minimum 0',
      existing: [...on('n1', 1), ...on('n3', 1)],
      incoming: pod({ constraints: [spread({ minDomains: 3 })] }),
      want: { n1: U, n2: U, n3: U, n4: U, n5: UR },
    },
    {
      name: 'maxSkew 2 by hostname',
      existing: [...on('n1', 2), ...on('n3', 1)],
      incoming: pod({ constraints: [spread({ topologyKey: HOST, maxSkew: 2 })] }),
      want: { n1: U, n2: 'ok', n3: 'ok', n4: 'ok', n5: 'ok' },
    },
    {
      name: 'nodeAffinityPolicy Honor (default): only nodes the nodeSelector selects count',
      existing: [...on('n4', 2)],
      incoming: pod({ nodeSelector: { disk: 'ssd' }, constraints: [spread()] }),
      want: { n1: 'ok', n2: 'ok', n3: 'ok', n4: 'ok', n5: UR },
    },
    {
      name: 'nodeAffinityPolicy Ignore: every node counts',
      existing: [...on('n4', 2)],
      incoming: pod({ nodeSelector: { disk: 'ssd' }, constraints: [spread({ nodeAffinityPolicy: 'Ignore' })] }),
      want: { n1: 'ok', n2: 'ok', n3: U, n4: U, n5: UR },
    },
    {
      name: 'nodeTaintsPolicy Ignore (default): pods on a tainted node count',
      existing: [...on('n2', 2)],
      incoming: pod({ constraints: [spread()] }),
      want: { n1: U, n2: U, n3: 'ok', n4: 'ok', n5: UR },
    },
    {
      name: 'nodeTaintsPolicy Honor: a node with an untolerated taint is no domain member',
      existing: [...on('n2', 2)],
      incoming: pod({ constraints: [spread({ nodeTaintsPolicy: 'Honor' })] }),
      want: { n1: 'ok', n2: 'ok', n3: 'ok', n4: 'ok', n5: UR },
    },
    {
      name: 'matchLabelKeys: only pods of the same revision count',
      existing: [...on('n1', 2, { labels: { app: 'web', 'pod-template-hash': 'v1' } })],
      incoming: pod({ labels: { app: 'web', 'pod-template-hash': 'v2' }, constraints: [spread({ matchLabelKeys: ['pod-template-hash'] })] }),
      want: { n1: 'ok', n2: 'ok', n3: 'ok', n4: 'ok', n5: UR },
    },
    {
      name: 'without matchLabelKeys the old revision counts',
      existing: [...on('n1', 2, { labels: { app: 'web', 'pod-template-hash': 'v1' } })],
      incoming: pod({ labels: { app: 'web', 'pod-template-hash': 'v2' }, constraints: [spread()] }),
      want: { n1: U, n2: U, n3: 'ok', n4: 'ok', n5: UR },
    },
    {
      name: 'pods of other namespaces and terminating pods do not count',
      existing: [...on('n1', 2, { namespace: 'other' }), ...on('n2', 2, { terminating: true })],
      incoming: pod({ constraints: [spread()] }),
      want: { n1: 'ok', n2: 'ok', n3: 'ok', n4: 'ok', n5: UR },
    },
    {
      name: 'an empty labelSelector counts no pods (as Kubernetes counts)',
      existing: [...on('n1', 3)],
      incoming: pod({ constraints: [spread({ labelSelector: {} })] }),
      want: { n1: 'ok', n2: 'ok', n3: 'ok', n4: 'ok', n5: UR },
    },
    {
      name: 'every constraint must hold: zone and hostname',
      existing: [...on('n3', 1), ...on('n1', 1)],
      incoming: pod({ constraints: [spread(), spread({ topologyKey: HOST })] }),
      want: { n1: U, n2: 'ok', n3: U, n4: 'ok', n5: UR },
    },
  ])('$name', ({ existing, incoming, want }) => {
    const { nodeInfos, snapshot, plugin } = cluster(existing);
    const state = new CycleState();
    expect(plugin.preFilter(state, incoming, snapshot).status.isSuccess()).toBe(true);
    expect(filterVerdicts(plugin, state, incoming, nodeInfos)).toEqual(want);
  });

  it('skips Filter for a pod without DoNotSchedule constraints (system defaults are ScheduleAnyway)', () => {
    const { snapshot, plugin } = cluster([]);
    expect(plugin.preFilter(new CycleState(), pod({ constraints: [spread({ whenUnsatisfiable: 'ScheduleAnyway' })] }), snapshot).status.isSkip()).toBe(true);
    expect(plugin.preFilter(new CycleState(), pod(), snapshot).status.isSkip()).toBe(true);
  });

  it('reports a bad selector as an error', () => {
    const { snapshot, plugin } = cluster([]);
    const bad = spread({ labelSelector: { matchExpressions: [{ key: 'app', operator: 'Near', values: ['x'] }] } as never });
    expect(plugin.preFilter(new CycleState(), pod({ constraints: [bad] }), snapshot).status.code).toBe('Error');
  });
});

describe('PodTopologySpread addPod / removePod (for preemption)', () => {
  it('moves counts on a copy of the state, keeping the global minimum right', () => {
    const existing = [...on('n1', 2), ...on('n3', 1)];
    const { nodeInfos, snapshot, plugin } = cluster(existing);
    const incoming = pod({ constraints: [spread()] });
    const state = new CycleState();
    plugin.preFilter(state, incoming, snapshot);
    const [n1, , n3] = nodeInfos as [NodeInfo, NodeInfo, NodeInfo];

    const copy = state.clone();
    plugin.removePod(copy, incoming, newPodInfo(existing[0]!), n1);
    // a: 1, b: 1 → a is fine now.
    expect(plugin.filter(copy, incoming, n1).isSuccess()).toBe(true);
    plugin.removePod(copy, incoming, newPodInfo(existing[2]!), n3);
    // a: 1, b: 0 → a is out again, b is in.
    expect(plugin.filter(copy, incoming, n1).message()).toBe(SKEW);
    expect(plugin.filter(copy, incoming, n3).isSuccess()).toBe(true);
    plugin.addPod(copy, incoming, newPodInfo(pod({ node: 'n3' })), n3);
    plugin.addPod(copy, incoming, newPodInfo(pod({ node: 'n3' })), n3);
    // a: 1, b: 2 → b is out.
    expect(plugin.filter(copy, incoming, n3).message()).toBe(SKEW);
    expect(plugin.filter(copy, incoming, n1).isSuccess()).toBe(true);

    expect(plugin.filter(state, incoming, n1).message()).toBe(SKEW);
  });

  it('ignores pods of another namespace or that the selector does not match', () => {
    const { nodeInfos, snapshot, plugin } = cluster([...on('n1', 2), ...on('n3', 1)]);
    const incoming = pod({ constraints: [spread()] });
    const state = new CycleState();
    plugin.preFilter(state, incoming, snapshot);
    plugin.addPod(state, incoming, newPodInfo(pod({ node: 'n3', namespace: 'other' })), nodeInfos[2]!);
    plugin.addPod(state, incoming, newPodInfo(pod({ node: 'n3', labels: { app: 'db' } })), nodeInfos[2]!);
    expect(plugin.filter(state, incoming, nodeInfos[2]!).isSuccess()).toBe(true);
  });
});

const replicaSet = { metadata: { name: 'web-rs', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'web' } } } };
const service = { metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' } } };

function scoresOf(plugin: PodTopologySpread, state: CycleState, incoming: Pod, nodeInfos: NodeInfo[]): NodeScore[] {
  return nodeInfos.map((n) => ({ name: n.name, score: plugin.score(state, incoming, n).score }));
}

const byName = (scores: NodeScore[]) => Object.fromEntries(scores.map((s) => [s.name, s.score]));

describe('PodTopologySpread score (ScheduleAnyway)', () => {
  it.each([
    {
      name: 'own constraint by zone: the emptier zone scores best; a node without the key is ignored',
      existing: [...on('n1', 1), ...on('n2', 1)],
      incoming: pod({ constraints: [spread({ whenUnsatisfiable: 'ScheduleAnyway' })] }),
      objects: {},
      // zone a: 2 pods × log(2 zones + 2) = 2.77 → 3; zone b: 0.
      raw: { n1: 3, n2: 3, n3: 0, n4: 0, n5: 0 },
      want: { n1: 0, n2: 0, n3: 100, n4: 100, n5: 0 },
    },
    {
      name: 'maxSkew loosens the preference (maxSkew - 1 added to every score)',
      existing: [...on('n1', 1), ...on('n2', 1)],
      incoming: pod({ constraints: [spread({ whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 5 })] }),
      objects: {},
      // a: 2.77 + 4 = 6.77 → 7; b: 4. (7 + 4 - s) * 100 / 7.
      raw: { n1: 7, n2: 7, n3: 4, n4: 4, n5: 0 },
      want: { n1: 57, n2: 57, n3: 100, n4: 100, n5: 0 },
    },
    {
      name: 'system defaults: spread by hostname (maxSkew 3) and zone (maxSkew 5) among the ReplicaSet’s pods',
      existing: [...on('n1', 2, { owner: { kind: 'ReplicaSet', name: 'web-rs' } }), ...on('n3', 1, { owner: { kind: 'ReplicaSet', name: 'web-rs' } }), ...on('n4', 2, { labels: { app: 'db' } })],
      incoming: pod({ owner: { kind: 'ReplicaSet', name: 'web-rs' } }),
      objects: { replicaSets: [replicaSet] },
      // hostname weight log(5 + 2), zone weight log(3 values (a, b, none) + 2); n5 has no zone: hostname only.
      raw: { n1: 13, n2: 9, n3: 10, n4: 8, n5: 2 },
      want: { n1: 15, n2: 46, n3: 38, n4: 53, n5: 100 },
    },
    {
      name: 'system defaults: a Service selecting the pod groups it as well',
      existing: [...on('n1', 2)],
      incoming: pod(),
      objects: { services: [service] },
      raw: { n1: 13, n2: 9, n3: 6, n4: 6, n5: 2 },
      want: { n1: 15, n2: 46, n3: 69, n4: 69, n5: 100 },
    },
  ])('$name', ({ existing, incoming, objects, raw, want }) => {
    const { nodeInfos, plugin } = cluster(existing, objects);
    const state = new CycleState();
    expect(plugin.preScore(state, incoming, nodeInfos).isSuccess()).toBe(true);
    const scores = scoresOf(plugin, state, incoming, nodeInfos);
    expect(byName(scores)).toEqual(raw);
    expect(plugin.normalizeScore(state, incoming, scores).isSuccess()).toBe(true);
    expect(byName(scores)).toEqual(want);
  });

  it.each([
    { name: 'a pod nothing groups', incoming: pod(), objects: {} },
    { name: 'a pod with only DoNotSchedule constraints (no system defaults then)', incoming: pod({ constraints: [spread()] }), objects: { services: [service] } },
    { name: 'a Service without a selector', incoming: pod(), objects: { services: [{ metadata: { name: 'manual', namespace: 'default' }, spec: {} }] } },
  ])('skips scoring for $name', ({ incoming, objects }) => {
    const { nodeInfos, plugin } = cluster([], objects);
    expect(plugin.preScore(new CycleState(), incoming, nodeInfos).isSkip()).toBe(true);
  });
});

describe('PodTopologySpread queueing hints', () => {
  const { plugin } = cluster([]);
  const hint = plugin.eventsToRegister()[0]!.queueingHint!;
  const target = pod({ constraints: [spread()] });

  it.each([
    { name: 'a deleted matching pod', old: pod({ node: 'n1' }), new: undefined, want: 'Queue' },
    { name: 'a deleted pod the selector does not match', old: pod({ node: 'n1', labels: { app: 'db' } }), new: undefined, want: 'QueueSkip' },
    { name: 'a deleted pod of another namespace', old: pod({ node: 'n1', namespace: 'other' }), new: undefined, want: 'QueueSkip' },
    { name: 'an added matching pod', old: undefined, new: pod({ node: 'n1' }), want: 'Queue' },
    { name: 'an unassigned pod', old: undefined, new: pod(), want: 'QueueSkip' },
    { name: 'a pod relabelled out of the selector', old: pod({ node: 'n1' }), new: pod({ node: 'n1', labels: { app: 'db' } }), want: 'Queue' },
    { name: 'a relabelling the selector does not see', old: pod({ node: 'n1', labels: { app: 'web', v: '1' } }), new: pod({ node: 'n1', labels: { app: 'web', v: '2' } }), want: 'QueueSkip' },
  ])('$name: $want', ({ old, new: updated, want }) => {
    expect(hint(target, old, updated)).toBe(want);
  });
});
