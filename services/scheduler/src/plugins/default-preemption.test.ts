import { describe, expect, it } from 'vitest';
import { CycleState } from '../framework/cycle-state';
import { NodeInfo } from '../framework/node-info';
import { newPodInfo, podPriority } from '../framework/pod-info';
import { podRequests } from '../framework/resource';
import { Status } from '../framework/status';
import type { FilterPlugin, FrameworkHandle, NodeToStatus, Pod, PodInfo, PreFilterPlugin, Snapshot } from '../framework/types';
import { snapshotOf } from '../testing/framework';
import { DefaultPreemption } from './default-preemption';
import { InterPodAffinity } from './inter-pod-affinity';
import { PodTopologySpread } from './pod-topology-spread';

const HOST = 'kubernetes.io/hostname';
const ZONE = 'topology.kubernetes.io/zone';
const CONTROL_PLANE_TAINT = 'node-role.kubernetes.io/control-plane';

interface PodOptions {
  node?: string;
  priority?: number;
  cpu?: string;
  labels?: Record<string, string>;
  startTime?: string;
  antiAffinityTo?: Record<string, string>;
  spreadByZone?: boolean;
  preemptionPolicy?: 'Never' | 'PreemptLowerPriority';
  nominatedNodeName?: string;
  terminatingByPreemption?: boolean;
}

function pod(name: string, o: PodOptions = {}): Pod {
  return {
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      labels: o.labels ?? {},
      deletionTimestamp: o.terminatingByPreemption ? '2024-01-01T00:00:00Z' : undefined,
    },
    spec: {
      nodeName: o.node,
      priority: o.priority ?? 0,
      preemptionPolicy: o.preemptionPolicy,
      containers: [{ name: 'c', resources: { requests: { cpu: o.cpu ?? '1' } } }],
      affinity: o.antiAffinityTo ? { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: o.antiAffinityTo }, topologyKey: HOST }] } } : undefined,
      topologySpreadConstraints: o.spreadByZone ? [{ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: o.labels } }] : undefined,
    },
    status: {
      startTime: o.startTime,
      nominatedNodeName: o.nominatedNodeName,
      conditions: o.terminatingByPreemption ? [{ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler' }] : [],
    },
  };
}

interface NodeOptions {
  cpu?: string;
  zone?: string;
  controlPlane?: boolean;
}

function node(name: string, o: NodeOptions = {}) {
  return {
    metadata: { name, labels: { [HOST]: name, ...(o.zone ? { [ZONE]: o.zone } : {}) } },
    spec: o.controlPlane ? { taints: [{ key: CONTROL_PLANE_TAINT, effect: 'NoSchedule' }] } : {},
    status: { allocatable: { cpu: o.cpu ?? '2', pods: '110' } },
  };
}

/** A stand-in for NodeResourcesFit: cpu only. */
const cpuFit: FilterPlugin = {
  name: 'NodeResourcesFit',
  filter: (_state, p, nodeInfo) =>
    nodeInfo.requested.milliCPU + podRequests(p).milliCPU > nodeInfo.allocatable.milliCPU ? Status.unschedulable('Insufficient cpu') : Status.success(),
};

/** A stand-in for TaintToleration: no pod here tolerates the control-plane taint. */
const taints: FilterPlugin = {
  name: 'TaintToleration',
  filter: (_state, _p, nodeInfo) => ((nodeInfo.node.spec?.taints as unknown[] | undefined)?.length ? Status.unresolvable(`node(s) had untolerated taint {${CONTROL_PLANE_TAINT}: }`) : Status.success()),
};

/**
 * Just enough of the framework for preemption: the real InterPodAffinity and PodTopologySpread
 * plus the two stand-ins above, run as the scheduling cycle runs them, and evictions recorded.
 */
class FakeFramework implements FrameworkHandle {
  readonly nodeInfos: NodeInfo[];
  readonly evicted: string[] = [];
  evictError: Error | undefined;
  private readonly preFilterPlugins: PreFilterPlugin[];
  private readonly filterPlugins: FilterPlugin[];
  private readonly snap: Snapshot;

  constructor(
    nodes: ReturnType<typeof node>[],
    pods: Pod[],
    private readonly nominated: Record<string, Pod[]> = {},
  ) {
    this.nodeInfos = nodes.map((n) => new NodeInfo(n, pods.filter((p) => p.spec?.nodeName === n.metadata.name)));
    this.snap = snapshotOf(this.nodeInfos);
    const ipa = new InterPodAffinity(this);
    const pts = new PodTopologySpread(this);
    this.preFilterPlugins = [ipa, pts];
    this.filterPlugins = [taints, cpuFit, ipa, pts];
  }

  /** PreFilter and Filter on every node, as the cycle does before PostFilter: the cycle state and each node's rejection. */
  schedule(p: Pod): { state: CycleState; statuses: NodeToStatus } {
    const state = new CycleState();
    for (const plugin of this.preFilterPlugins) {
      if (plugin.preFilter(state, p, this.snap).status.isSkip()) state.skipFilterPlugins.add(plugin.name);
    }
    const statuses: NodeToStatus = new Map();
    for (const nodeInfo of this.nodeInfos) {
      const status = this.runFilterPluginsWithNominatedPods(state, p, nodeInfo);
      if (!status.isSuccess()) statuses.set(nodeInfo.name, status);
    }
    return { state, statuses };
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  runFilterPlugins(state: CycleState, p: Pod, nodeInfo: NodeInfo): Status {
    for (const plugin of this.filterPlugins) {
      if (state.skipFilterPlugins.has(plugin.name)) continue;
      const status = plugin.filter(state, p, nodeInfo);
      if (!status.isSuccess()) return status;
    }
    return Status.success();
  }

  runFilterPluginsWithNominatedPods(state: CycleState, p: Pod, nodeInfo: NodeInfo): Status {
    const nominated = this.nominatedPodsForNode(nodeInfo.name).filter((n) => podPriority(n.pod) >= podPriority(p));
    if (!nominated.length) return this.runFilterPlugins(state, p, nodeInfo);
    const stateWith = state.clone();
    const nodeInfoWith = nodeInfo.clone();
    for (const n of nominated) {
      nodeInfoWith.addPod(n);
      this.runPreFilterExtensionAddPod(stateWith, p, n, nodeInfoWith);
    }
    const status = this.runFilterPlugins(stateWith, p, nodeInfoWith);
    return status.isSuccess() ? this.runFilterPlugins(state, p, nodeInfo) : status;
  }

  runPreFilterExtensionAddPod(state: CycleState, p: Pod, podInfo: PodInfo, nodeInfo: NodeInfo): Status {
    for (const plugin of this.preFilterPlugins) if (!state.skipFilterPlugins.has(plugin.name)) plugin.addPod!(state, p, podInfo, nodeInfo);
    return Status.success();
  }

  runPreFilterExtensionRemovePod(state: CycleState, p: Pod, podInfo: PodInfo, nodeInfo: NodeInfo): Status {
    for (const plugin of this.preFilterPlugins) if (!state.skipFilterPlugins.has(plugin.name)) plugin.removePod!(state, p, podInfo, nodeInfo);
    return Status.success();
  }

  async evict(victim: Pod, _preemptor: Pod, nodeName: string): Promise<void> {
    if (this.evictError) throw this.evictError;
    this.evicted.push(`${victim.metadata.name}@${nodeName}`);
  }

  nominatedPodsForNode(nodeName: string): PodInfo[] {
    return (this.nominated[nodeName] ?? []).map(newPodInfo);
  }
}

async function preempt(fw: FakeFramework, preemptor: Pod, random = () => 0) {
  const { state, statuses } = fw.schedule(preemptor);
  const result = await new DefaultPreemption(fw, random).postFilter(state, preemptor, statuses);
  return { code: result.status.code, message: result.status.message(), nominatedNodeName: result.nominatedNodeName, evicted: fw.evicted };
}

const KIND = [node('control-plane', { controlPlane: true }), node('worker', { zone: 'a' }), node('worker2', { zone: 'b' })];
const T = (hour: number) => `2024-01-01T${String(hour).padStart(2, '0')}:00:00Z`;

describe('DefaultPreemption', () => {
  it.each([
    {
      name: 'scenario 05-3: anti-affinity among equals, a tainted control plane: nothing to preempt',
      nodes: KIND,
      pods: [pod('web-0', { node: 'worker', labels: { app: 'web' } }), pod('web-1', { node: 'worker2', labels: { app: 'web' } })],
      preemptor: pod('web-2', { labels: { app: 'web' }, antiAffinityTo: { app: 'web' } }),
      want: {
        code: 'Unschedulable',
        message: 'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
        nominatedNodeName: '',
        evicted: [],
      },
    },
    {
      name: 'evicts the fewest, lowest-priority pods: one of two low pods, on the node whose highest victim is lowest',
      nodes: [node('w1'), node('w2')],
      pods: [
        pod('low-a', { node: 'w1', priority: 0, startTime: T(1) }),
        pod('low-b', { node: 'w1', priority: 0, startTime: T(2) }),
        pod('mid-a', { node: 'w2', priority: 100, startTime: T(1) }),
        pod('mid-b', { node: 'w2', priority: 100, startTime: T(2) }),
      ],
      preemptor: pod('high', { priority: 1000 }),
      // low-a started first: more important, reprieved; low-b goes.
      want: { code: 'Success', message: '', nominatedNodeName: 'w1', evicted: ['low-b@w1'] },
    },
    {
      name: 'reprieves the most important first',
      nodes: [node('w1', { cpu: '3' })],
      pods: [pod('p1', { node: 'w1', priority: 1 }), pod('p3', { node: 'w1', priority: 3 }), pod('p2', { node: 'w1', priority: 2 })],
      preemptor: pod('high', { priority: 10 }),
      want: { code: 'Success', message: '', nominatedNodeName: 'w1', evicted: ['p1@w1'] },
    },
    {
      name: 'same highest victim priority: the smaller priority sum wins',
      nodes: [node('w1'), node('w2')],
      pods: [
        pod('a10', { node: 'w1', priority: 10, cpu: '1' }),
        pod('a1', { node: 'w1', priority: 1, cpu: '1' }),
        pod('b10', { node: 'w2', priority: 10, cpu: '2' }),
      ],
      preemptor: pod('high', { priority: 1000, cpu: '2' }),
      want: { code: 'Success', message: '', nominatedNodeName: 'w2', evicted: ['b10@w2'] },
    },
    {
      name: 'all else equal: the node whose victims started last',
      nodes: [node('w1'), node('w2')],
      pods: [pod('old', { node: 'w1', priority: 5, cpu: '2', startTime: T(1) }), pod('young', { node: 'w2', priority: 5, cpu: '2', startTime: T(9) })],
      preemptor: pod('high', { priority: 1000, cpu: '2' }),
      want: { code: 'Success', message: '', nominatedNodeName: 'w2', evicted: ['young@w2'] },
    },
    {
      name: 'preemptionPolicy Never',
      nodes: [node('w1')],
      pods: [pod('low', { node: 'w1', cpu: '2' })],
      preemptor: pod('high', { priority: 1000, preemptionPolicy: 'Never' }),
      want: { code: 'Unschedulable', message: 'preemption: not eligible due to preemptionPolicy=Never.', nominatedNodeName: undefined, evicted: [] },
    },
    {
      name: 'victims of an earlier preemption still terminating on the nominated node',
      nodes: [node('w1'), node('w2')],
      pods: [pod('victim', { node: 'w1', cpu: '2', terminatingByPreemption: true }), pod('low', { node: 'w2', cpu: '2' })],
      preemptor: pod('high', { priority: 1000, nominatedNodeName: 'w1' }),
      want: { code: 'Unschedulable', message: 'preemption: not eligible due to a terminating pod on the nominated node.', nominatedNodeName: undefined, evicted: [] },
    },
    {
      name: 'a pod that does not fit even with every lower-priority pod gone',
      nodes: [node('w1'), node('w2')],
      pods: [pod('low', { node: 'w1', cpu: '1' }), pod('vip', { node: 'w1', priority: 5000, cpu: '1' }), pod('vip2', { node: 'w2', priority: 5000, cpu: '2' })],
      preemptor: pod('big', { priority: 1000, cpu: '2' }),
      want: { code: 'Unschedulable', message: 'preemption: 0/2 nodes are available: 1 Insufficient cpu, 1 No preemption victims found for incoming pod.', nominatedNodeName: '', evicted: [] },
    },
    {
      name: 'room held by a higher-priority nominated pod is not taken',
      nodes: [node('w1')],
      pods: [pod('low', { node: 'w1', cpu: '1' })],
      nominated: { w1: [pod('nominated', { priority: 2000, cpu: '1' })] },
      preemptor: pod('high', { priority: 1000, cpu: '2' }),
      want: { code: 'Unschedulable', message: 'preemption: 0/1 nodes are available: 1 Insufficient cpu.', nominatedNodeName: '', evicted: [] },
    },
    {
      name: 'required anti-affinity: the lower-priority pod it repels is the victim',
      nodes: [node('w1'), node('w2')],
      pods: [pod('web-low', { node: 'w1', labels: { app: 'web' } }), pod('web-vip', { node: 'w2', priority: 5000, labels: { app: 'web' } })],
      preemptor: pod('web-high', { priority: 1000, labels: { app: 'web' }, antiAffinityTo: { app: 'web' } }),
      want: { code: 'Success', message: '', nominatedNodeName: 'w1', evicted: ['web-low@w1'] },
    },
    {
      name: 'topology spread: matching pods in the crowded zone are evicted until the skew fits',
      nodes: [node('w1', { zone: 'a', cpu: '4' }), node('w2', { zone: 'b' })],
      pods: [
        pod('web-0', { node: 'w1', labels: { app: 'web' } }),
        pod('web-1', { node: 'w1', labels: { app: 'web' } }),
        pod('other', { node: 'w1', labels: { app: 'other' } }),
        pod('vip', { node: 'w2', priority: 5000, cpu: '2' }),
      ],
      preemptor: pod('web-2', { priority: 1000, labels: { app: 'web' }, spreadByZone: true }),
      want: { code: 'Success', message: '', nominatedNodeName: 'w1', evicted: ['web-0@w1', 'web-1@w1'] },
    },
  ])('$name', async ({ nodes, pods, nominated, preemptor, want }) => {
    const fw = new FakeFramework(nodes, pods, nominated);
    expect(await preempt(fw, preemptor)).toEqual(want);
  });

  it('preempts again when the nominated node has become unsuitable (UnschedulableAndUnresolvable)', async () => {
    const fw = new FakeFramework(
      [node('cp', { controlPlane: true }), node('w2')],
      [pod('victim', { node: 'cp', terminatingByPreemption: true }), pod('low', { node: 'w2', cpu: '2' })],
    );
    const result = await preempt(fw, pod('high', { priority: 1000, nominatedNodeName: 'cp' }));
    expect(result).toEqual({ code: 'Success', message: '', nominatedNodeName: 'w2', evicted: ['low@w2'] });
  });

  it('tries the nodes from a random offset, and stops once it has enough candidates', async () => {
    // Two equal nodes: on a full tie the first candidate found wins, so the offset decides.
    const pods = [pod('a', { node: 'w1', cpu: '2', startTime: T(1) }), pod('b', { node: 'w2', cpu: '2', startTime: T(1) })];
    const fromSecond = await preempt(new FakeFramework([node('w1'), node('w2')], pods), pod('high', { priority: 1000 }), () => 0.9);
    expect(fromSecond.nominatedNodeName).toBe('w2');
    const fromFirst = await preempt(new FakeFramework([node('w1'), node('w2')], pods), pod('high', { priority: 1000 }), () => 0);
    expect(fromFirst.nominatedNodeName).toBe('w1');
  });

  it('reports a failed eviction as an error', async () => {
    const fw = new FakeFramework([node('w1')], [pod('low', { node: 'w1', cpu: '2' })]);
    fw.evictError = new Error('pods "low" is forbidden');
    expect(await preempt(fw, pod('high', { priority: 1000 }))).toMatchObject({ code: 'Error', message: 'preemption: pods "low" is forbidden' });
  });

  it('leaves the cycle state and the snapshot as they were', async () => {
    const fw = new FakeFramework([node('w1')], [pod('web-low', { node: 'w1', labels: { app: 'web' } })]);
    const preemptor = pod('web-high', { priority: 1000, labels: { app: 'web' }, antiAffinityTo: { app: 'web' } });
    const { state, statuses } = fw.schedule(preemptor);
    await new DefaultPreemption(fw).postFilter(state, preemptor, statuses);
    expect(fw.nodeInfos[0]!.pods.map((p) => p.pod.metadata.name)).toEqual(['web-low']);
    expect(fw.runFilterPlugins(state, preemptor, fw.nodeInfos[0]!).message()).toBe("node(s) didn't match pod anti-affinity rules");
  });
});
