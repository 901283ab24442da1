import { describe, expect, it } from 'vitest';
import { CycleState } from '../framework/cycle-state';
import { NodeInfo } from '../framework/node-info';
import { newPodInfo } from '../framework/pod-info';
import type { Node, NodeScore, Pod } from '../framework/types';
import { filterVerdicts, pluginHandle, snapshotOf } from '../testing/framework';
import {
  ERR_REASON_AFFINITY_RULES_NOT_MATCH as AFFINITY,
  ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH as ANTI,
  ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH as EXISTING,
  InterPodAffinity,
} from './inter-pod-affinity';

const HOST = 'kubernetes.io/hostname';
const ZONE = 'topology.kubernetes.io/zone';

interface Term {
  labelSelector?: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> };
  topologyKey: string;
  namespaces?: string[];
  namespaceSelector?: { matchLabels?: Record<string, string> };
}

const term = (matchLabels: Record<string, string>, topologyKey = HOST, extra: Partial<Term> = {}): Term => ({ labelSelector: { matchLabels }, topologyKey, ...extra });

interface PodOptions {
  labels?: Record<string, string>;
  namespace?: string;
  node?: string;
  affinity?: Term[];
  antiAffinity?: Term[];
  preferredAffinity?: Array<[number, Term]>;
  preferredAntiAffinity?: Array<[number, Term]>;
}

function pod(name: string, o: PodOptions = {}): Pod {
  const weighted = (ts: Array<[number, Term]> = []) => ts.map(([weight, podAffinityTerm]) => ({ weight, podAffinityTerm }));
  return {
    metadata: { name, namespace: o.namespace ?? 'default', uid: `uid-${name}`, labels: o.labels ?? {} },
    spec: {
      nodeName: o.node,
      affinity: {
        podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: o.affinity, preferredDuringSchedulingIgnoredDuringExecution: weighted(o.preferredAffinity) },
        podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: o.antiAffinity, preferredDuringSchedulingIgnoredDuringExecution: weighted(o.preferredAntiAffinity) },
      },
    },
  };
}

/** n1, n2 in zone a; n3 in zone b; n4 with no zone label. */
const NODES: Node[] = [
  { metadata: { name: 'n1', labels: { [HOST]: 'n1', [ZONE]: 'a' } } },
  { metadata: { name: 'n2', labels: { [HOST]: 'n2', [ZONE]: 'a' } } },
  { metadata: { name: 'n3', labels: { [HOST]: 'n3', [ZONE]: 'b' } } },
  { metadata: { name: 'n4', labels: { [HOST]: 'n4' } } },
];

/** The cluster: NODES with `existing` placed by spec.nodeName. */
function cluster(existing: Pod[], namespaces: Record<string, Record<string, string> | undefined> = {}) {
  const nodeInfos = NODES.map((n) => new NodeInfo(n, existing.filter((p) => p.spec?.nodeName === n.metadata.name)));
  const snapshot = snapshotOf(nodeInfos, namespaces);
  return { nodeInfos, snapshot, plugin: new InterPodAffinity(pluginHandle(snapshot)) };
}

const U = (reason: string) => `Unschedulable: ${reason}`;
const UR = (reason: string) => `UnschedulableAndUnresolvable: ${reason}`;

describe('InterPodAffinity filter', () => {
  it.each([
    {
      name: 'affinity to a pod on one host: only that host',
      existing: [pod('db', { labels: { app: 'db' }, node: 'n1' })],
      incoming: pod('web', { labels: { app: 'web' }, affinity: [term({ app: 'db' })] }),
      want: { n1: 'ok', n2: UR(AFFINITY), n3: UR(AFFINITY), n4: UR(AFFINITY) },
    },
    {
      name: 'affinity by zone: every node of the zone; a node without the key never',
      existing: [pod('db', { labels: { app: 'db' }, node: 'n1' })],
      incoming: pod('web', { labels: { app: 'web' }, affinity: [term({ app: 'db' }, ZONE)] }),
      want: { n1: 'ok', n2: 'ok', n3: UR(AFFINITY), n4: UR(AFFINITY) },
    },
    {
      name: 'the first pod of a group with affinity to itself goes to any node with the key',
      existing: [pod('other', { labels: { app: 'other' }, node: 'n1' })],
      incoming: pod('web', { labels: { app: 'web' }, affinity: [term({ app: 'web' }, ZONE)] }),
      want: { n1: 'ok', n2: 'ok', n3: 'ok', n4: UR(AFFINITY) },
    },
    {
      name: 'once one pod of the group runs, the others follow it',
      existing: [pod('web-0', { labels: { app: 'web' }, node: 'n3' })],
      incoming: pod('web-1', { labels: { app: 'web' }, affinity: [term({ app: 'web' }, ZONE)] }),
      want: { n1: UR(AFFINITY), n2: UR(AFFINITY), n3: 'ok', n4: UR(AFFINITY) },
    },
    {
      name: 'affinity to pods that do not exist (and not to itself): nowhere',
      existing: [],
      incoming: pod('web', { labels: { app: 'web' }, affinity: [term({ app: 'db' })] }),
      want: { n1: UR(AFFINITY), n2: UR(AFFINITY), n3: UR(AFFINITY), n4: UR(AFFINITY) },
    },
    {
      name: 'several affinity terms must be met by one and the same pod',
      existing: [
        pod('db-backend', { labels: { app: 'db', tier: 'backend' }, node: 'n1' }),
        pod('db', { labels: { app: 'db' }, node: 'n2' }),
        pod('backend', { labels: { tier: 'backend' }, node: 'n2' }),
      ],
      incoming: pod('web', { affinity: [term({ app: 'db' }), term({ tier: 'backend' })] }),
      want: { n1: 'ok', n2: UR(AFFINITY), n3: UR(AFFINITY), n4: UR(AFFINITY) },
    },
    {
      name: 'anti-affinity by hostname: not beside a matching pod',
      existing: [pod('web-0', { labels: { app: 'web' }, node: 'n1' })],
      incoming: pod('web-1', { labels: { app: 'web' }, antiAffinity: [term({ app: 'web' })] }),
      want: { n1: U(ANTI), n2: 'ok', n3: 'ok', n4: 'ok' },
    },
    {
      name: 'anti-affinity by zone: the whole zone is out; a node without the key is in no zone',
      existing: [pod('web-0', { labels: { app: 'web' }, node: 'n1' })],
      incoming: pod('web-1', { labels: { app: 'web' }, antiAffinity: [term({ app: 'web' }, ZONE)] }),
      want: { n1: U(ANTI), n2: U(ANTI), n3: 'ok', n4: 'ok' },
    },
    {
      name: "an existing pod's anti-affinity keeps the incoming pod out of its zone",
      existing: [pod('db', { labels: { app: 'db' }, node: 'n3', antiAffinity: [term({ app: 'web' }, ZONE)] })],
      incoming: pod('web', { labels: { app: 'web' } }),
      want: { n1: 'ok', n2: 'ok', n3: U(EXISTING), n4: 'ok' },
    },
    {
      name: 'a term looks in the pod’s own namespace only',
      existing: [pod('web-0', { labels: { app: 'web' }, namespace: 'other', node: 'n1' })],
      incoming: pod('web-1', { labels: { app: 'web' }, antiAffinity: [term({ app: 'web' })] }),
      want: { n1: 'ok', n2: 'ok', n3: 'ok', n4: 'ok' },
    },
    {
      name: 'a term naming namespaces looks there',
      existing: [pod('web-0', { labels: { app: 'web' }, namespace: 'other', node: 'n1' })],
      incoming: pod('web-1', { labels: { app: 'web' }, antiAffinity: [term({ app: 'web' }, HOST, { namespaces: ['other'] })] }),
      want: { n1: U(ANTI), n2: 'ok', n3: 'ok', n4: 'ok' },
    },
    {
      name: 'a namespaceSelector picks namespaces by their labels',
      existing: [pod('db', { labels: { app: 'db' }, namespace: 'prod', node: 'n2' }), pod('db2', { labels: { app: 'db' }, namespace: 'dev', node: 'n3' })],
      incoming: pod('web', { affinity: [term({ app: 'db' }, HOST, { namespaceSelector: { matchLabels: { env: 'prod' } } })] }),
      namespaces: { prod: { env: 'prod' }, dev: { env: 'dev' } },
      want: { n1: UR(AFFINITY), n2: 'ok', n3: UR(AFFINITY), n4: UR(AFFINITY) },
    },
    {
      name: "an existing pod's namespaceSelector is matched against the incoming pod's namespace",
      existing: [pod('db', { labels: { app: 'db' }, namespace: 'data', node: 'n1', antiAffinity: [term({ app: 'web' }, HOST, { namespaceSelector: { matchLabels: { team: 'shop' } } })] })],
      incoming: pod('web', { labels: { app: 'web' }, namespace: 'shop' }),
      namespaces: { shop: { team: 'shop' } },
      want: { n1: U(EXISTING), n2: 'ok', n3: 'ok', n4: 'ok' },
    },
    {
      name: "replicas of one Deployment carry the same term: each replica's node is out",
      existing: [
        pod('web-0', { labels: { app: 'web' }, node: 'n1', antiAffinity: [term({ app: 'web' })] }),
        pod('web-1', { labels: { app: 'web' }, node: 'n3', antiAffinity: [term({ app: 'web' })] }),
        pod('web-2', { labels: { app: 'web' }, node: 'n3', antiAffinity: [term({ app: 'web' })] }),
      ],
      incoming: pod('probe', { labels: { app: 'web' } }),
      want: { n1: U(EXISTING), n2: 'ok', n3: U(EXISTING), n4: 'ok' },
    },
    {
      name: 'the same term written in two namespaces looks in each pod’s own',
      existing: [
        pod('web-0', { labels: { app: 'web' }, node: 'n1', antiAffinity: [term({ app: 'web' })] }),
        pod('web-1', { labels: { app: 'web' }, namespace: 'other', node: 'n2', antiAffinity: [term({ app: 'web' })] }),
      ],
      incoming: pod('probe', { labels: { app: 'web' }, namespace: 'other' }),
      want: { n1: 'ok', n2: U(EXISTING), n3: 'ok', n4: 'ok' },
    },
    {
      name: 'anti-affinity without a value to look up (Exists) checks every pod',
      existing: [pod('a', { labels: { tier: 'x' }, node: 'n1' }), pod('b', { labels: { other: 'y' }, node: 'n3' })],
      incoming: pod('web', { antiAffinity: [{ labelSelector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, topologyKey: HOST } as Term] }),
      want: { n1: U(ANTI), n2: 'ok', n3: 'ok', n4: 'ok' },
    },
  ])('$name', ({ existing, incoming, namespaces, want }) => {
    const { nodeInfos, snapshot, plugin } = cluster(existing, namespaces);
    const state = new CycleState();
    expect(plugin.preFilter(state, incoming, snapshot).status.isSuccess()).toBe(true);
    expect(filterVerdicts(plugin, state, incoming, nodeInfos)).toEqual(want);
  });

  it('skips Filter when neither the pod nor any existing pod has required (anti-)affinity', () => {
    const { snapshot, plugin } = cluster([pod('db', { labels: { app: 'db' }, node: 'n1', preferredAntiAffinity: [[5, term({ app: 'web' })]] })]);
    const state = new CycleState();
    expect(plugin.preFilter(state, pod('web', { labels: { app: 'web' }, preferredAffinity: [[1, term({ app: 'db' })]] }), snapshot).status.isSkip()).toBe(true);
  });

  it('reports an error when PreFilter did not run', () => {
    const { nodeInfos, plugin } = cluster([]);
    expect(plugin.filter(new CycleState(), pod('web'), nodeInfos[0]!).code).toBe('Error');
  });
});

describe('InterPodAffinity addPod / removePod (for preemption)', () => {
  it('removing the conflicting pod from a copy of the state frees the node; adding it back does not; the original is untouched', () => {
    const web0 = pod('web-0', { labels: { app: 'web' }, node: 'n1' });
    const guard = pod('guard', { labels: { app: 'guard' }, node: 'n2', antiAffinity: [term({ app: 'web' })] });
    const { nodeInfos, snapshot, plugin } = cluster([web0, guard]);
    const incoming = pod('web-1', { labels: { app: 'web' }, antiAffinity: [term({ app: 'web' })] });
    const state = new CycleState();
    plugin.preFilter(state, incoming, snapshot);
    const [n1, n2] = nodeInfos as [NodeInfo, NodeInfo];

    const copy = state.clone();
    expect(plugin.removePod(copy, incoming, newPodInfo(web0), n1).isSuccess()).toBe(true);
    expect(plugin.removePod(copy, incoming, newPodInfo(guard), n2).isSuccess()).toBe(true);
    expect(plugin.filter(copy, incoming, n1).isSuccess()).toBe(true);
    expect(plugin.filter(copy, incoming, n2).isSuccess()).toBe(true);

    plugin.addPod(copy, incoming, newPodInfo(web0), n1);
    plugin.addPod(copy, incoming, newPodInfo(guard), n2);
    expect(plugin.filter(copy, incoming, n1).message()).toBe(ANTI);
    expect(plugin.filter(copy, incoming, n2).message()).toBe(EXISTING);

    expect(plugin.filter(state, incoming, n1).message()).toBe(ANTI);
  });

  it('adding a pod the incoming one has affinity to opens its domain', () => {
    const { nodeInfos, snapshot, plugin } = cluster([pod('cache', { labels: { app: 'cache' }, node: 'n1' })]);
    const incoming = pod('web', { affinity: [term({ app: 'db' }, ZONE)] });
    const state = new CycleState();
    plugin.preFilter(state, incoming, snapshot);
    const n3 = nodeInfos[2]!;
    expect(plugin.filter(state, incoming, n3).message()).toBe(AFFINITY);
    plugin.addPod(state, incoming, newPodInfo(pod('db', { labels: { app: 'db' }, node: 'n3' })), n3);
    expect(plugin.filter(state, incoming, n3).isSuccess()).toBe(true);
  });
});

describe('InterPodAffinity score', () => {
  it.each([
    {
      name: 'preferred affinity by zone',
      existing: [pod('db', { labels: { app: 'db' }, node: 'n1' })],
      incoming: pod('web', { preferredAffinity: [[5, term({ app: 'db' }, ZONE)]] }),
      raw: { n1: 5, n2: 5, n3: 0, n4: 0 },
      want: { n1: 100, n2: 100, n3: 0, n4: 0 },
    },
    {
      name: 'preferred anti-affinity by host scores the host lowest',
      existing: [pod('web-0', { labels: { app: 'web' }, node: 'n1' })],
      incoming: pod('web-1', { preferredAntiAffinity: [[10, term({ app: 'web' })]] }),
      raw: { n1: -10, n2: 0, n3: 0, n4: 0 },
      want: { n1: 0, n2: 100, n3: 100, n4: 100 },
    },
    {
      name: 'affinity and anti-affinity weights add up per domain',
      existing: [pod('db', { labels: { app: 'db' }, node: 'n3' }), pod('web-0', { labels: { app: 'web' }, node: 'n3' }), pod('web-1', { labels: { app: 'web' }, node: 'n1' })],
      incoming: pod('web-2', { preferredAffinity: [[8, term({ app: 'db' }, ZONE)]], preferredAntiAffinity: [[2, term({ app: 'web' })]] }),
      raw: { n1: -2, n2: 0, n3: 6, n4: 0 },
      // (score - min) * 100 / (max - min), truncated: n2 and n4 = 2 * 100 / 8.
      want: { n1: 0, n2: 25, n3: 100, n4: 25 },
    },
    {
      name: "an existing pod's preferred anti-affinity pushes the incoming pod away",
      existing: [pod('db', { labels: { app: 'db' }, node: 'n1', preferredAntiAffinity: [[3, term({ app: 'web' })]] })],
      incoming: pod('web', { labels: { app: 'web' } }),
      raw: { n1: -3, n2: 0, n3: 0, n4: 0 },
      want: { n1: 0, n2: 100, n3: 100, n4: 100 },
    },
    {
      name: "an existing pod's required affinity to the incoming pod draws it (hardPodAffinityWeight 1)",
      existing: [pod('sidecar', { labels: { app: 'sidecar' }, node: 'n2', affinity: [term({ app: 'web' }, ZONE)] })],
      incoming: pod('web', { labels: { app: 'web' } }),
      raw: { n1: 1, n2: 1, n3: 0, n4: 0 },
      want: { n1: 100, n2: 100, n3: 0, n4: 0 },
    },
  ])('$name', ({ existing, incoming, raw, want }) => {
    const { nodeInfos, plugin } = cluster(existing);
    const state = new CycleState();
    expect(plugin.preScore(state, incoming, nodeInfos).isSuccess()).toBe(true);
    const scores: NodeScore[] = nodeInfos.map((n) => ({ name: n.name, score: plugin.score(state, incoming, n).score }));
    expect(Object.fromEntries(scores.map((s) => [s.name, s.score]))).toEqual(raw);
    expect(plugin.normalizeScore(state, incoming, scores).isSuccess()).toBe(true);
    expect(Object.fromEntries(scores.map((s) => [s.name, s.score]))).toEqual(want);
  });

  it('skips scoring when no term anywhere applies', () => {
    const { nodeInfos, plugin } = cluster([pod('db', { labels: { app: 'db' }, node: 'n1' })]);
    expect(plugin.preScore(new CycleState(), pod('web'), nodeInfos).isSkip()).toBe(true);
    // Existing pods' required anti-affinity filters, it does not score.
    const guarded = cluster([pod('guard', { labels: { app: 'guard' }, node: 'n1', antiAffinity: [term({ app: 'web' })] })]);
    expect(guarded.plugin.preScore(new CycleState(), pod('web', { labels: { app: 'web' } }), guarded.nodeInfos).isSkip()).toBe(true);
    expect(plugin.preScore(new CycleState(), pod('web', { preferredAffinity: [[1, term({ app: 'db' })]] }), []).isSkip()).toBe(true);
  });
});

describe('InterPodAffinity queueing hints', () => {
  const { plugin } = cluster([]);
  const [podEvents] = plugin.eventsToRegister();
  const hint = podEvents!.queueingHint!;
  const target = pod('web', { labels: { app: 'web' }, affinity: [term({ app: 'db' })], antiAffinity: [term({ app: 'web' })] });

  it.each([
    { name: 'an unassigned pod changes nothing', old: undefined, new: pod('db', { labels: { app: 'db' } }), want: 'QueueSkip' },
    { name: 'an added pod matching the affinity', old: undefined, new: pod('db', { labels: { app: 'db' }, node: 'n1' }), want: 'Queue' },
    { name: 'an added pod not matching it', old: undefined, new: pod('cache', { labels: { app: 'cache' }, node: 'n1' }), want: 'QueueSkip' },
    { name: 'a deleted pod matching the anti-affinity', old: pod('web-0', { labels: { app: 'web' }, node: 'n1' }), new: undefined, want: 'Queue' },
    { name: 'a deleted pod whose own anti-affinity kept the pod away', old: pod('guard', { node: 'n1', antiAffinity: [term({ app: 'web' })] }), new: undefined, want: 'Queue' },
    { name: 'a deleted unrelated pod', old: pod('cache', { labels: { app: 'cache' }, node: 'n1' }), new: undefined, want: 'QueueSkip' },
    { name: 'a pod relabelled out of the anti-affinity', old: pod('x', { labels: { app: 'web' }, node: 'n1' }), new: pod('x', { labels: { app: 'old' }, node: 'n1' }), want: 'Queue' },
    { name: 'a pod relabelled into the anti-affinity', old: pod('x', { labels: { app: 'old' }, node: 'n1' }), new: pod('x', { labels: { app: 'web' }, node: 'n1' }), want: 'QueueSkip' },
  ])('$name: $want', ({ old, new: updated, want }) => {
    expect(hint(target, old, updated)).toBe(want);
  });
});
