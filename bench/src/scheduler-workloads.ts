import { metaTime, type KubeObject } from '@kubelab/client';

/** The zones simulated nodes are spread over, round robin (scheduler_perf's moon-1..3). */
const ZONES = ['zone-a', 'zone-b', 'zone-c'];

/** Pods of one group (the replicas of one Deployment) keep away from each other; at most this many. */
const GROUP_SIZE = 10;

const HOSTNAME = 'kubernetes.io/hostname';
const ZONE = 'topology.kubernetes.io/zone';

/** A Node as a kubelet registers it, Ready, with room for 110 pods; no process stands behind it. */
export function simulatedNode(index: number): KubeObject {
  const name = `node-${String(index).padStart(4, '0')}`;
  const now = metaTime(Date.now());
  const capacity = { cpu: '32', memory: '64Gi', pods: '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { [HOSTNAME]: name, [ZONE]: ZONES[index % ZONES.length]!, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' } },
    spec: {},
    status: {
      capacity,
      allocatable: capacity,
      conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: now, lastTransitionTime: now, reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
    },
  };
}

/** One kind of pod the scheduler is measured on. */
export interface Workload {
  /** The pods' `bench` label, and the prefix of their names. */
  label: string;
  title: string;
  /** pods/s, from issue 4. */
  goal: number;
  /** Kubernetes' scheduler_perf floor for the closest workload, pods/s, and which workload that is. */
  floor: number;
  floorWorkload: string;
  pod(index: number, nodes: number): KubeObject;
  /** Placements that break the pods' own constraints (0 unless the scheduler is wrong). */
  violations(placements: Map<string, Placement>): number;
}

export interface Placement {
  labels: Record<string, string>;
  node: string;
  zone: string;
}

/** scheduler_perf's pod-default: one container with requests of 100m cpu and 500Mi memory. */
function basePod(name: string, labels: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels },
    spec: { containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '100m', memory: '500Mi' } } }] },
  };
}

/** SchedulingBasic: resource requests and nothing else. */
export const SCHEDULING_BASIC: Workload = {
  label: 'basic',
  title: 'SchedulingBasic',
  goal: 500,
  floor: 270,
  floorWorkload: 'SchedulingBasic, 5,000 nodes',
  pod: (index) => basePod(`basic-${index}`, { bench: 'basic' }),
  violations: () => 0,
};

/**
 * Every pod with both constraints: pods come in groups of 10 (a Deployment's replicas); each
 * requires no other pod of its group on its node (required anti-affinity on the hostname, as
 * scheduler_perf's SchedulingPodAntiAffinity, but per group so that 3,000 pods fit on 1,000
 * nodes), and each group spreads over the zones with maxSkew 1 (DoNotSchedule), as scheduler_perf's
 * TopologySpreading (which allows a skew of 5).
 */
export const ANTI_AFFINITY_AND_SPREAD: Workload = {
  label: 'spread',
  title: 'pod anti-affinity + topology spread',
  goal: 150,
  floor: 85,
  floorWorkload: 'TopologySpreading, 5,000 nodes',
  pod(index, nodes) {
    const group = `g-${Math.floor(index / Math.min(GROUP_SIZE, nodes))}`;
    const pod = basePod(`spread-${index}`, { bench: 'spread', group });
    const selector = { matchLabels: { group } };
    pod.spec!.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: selector, topologyKey: HOSTNAME }] } };
    pod.spec!.topologySpreadConstraints = [{ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule', labelSelector: selector }];
    return pod;
  },
  violations(placements) {
    const groups = new Map<string, Placement[]>();
    for (const placement of placements.values()) {
      const group = placement.labels.group!;
      groups.set(group, [...(groups.get(group) ?? []), placement]);
    }
    let broken = 0;
    for (const members of groups.values()) {
      const perNode = new Set(members.map((m) => m.node));
      broken += members.length - perNode.size;
      const perZone = ZONES.map((zone) => members.filter((m) => m.zone === zone).length);
      // Every zone has room, so each placement keeps the group's skew within 1.
      if (Math.max(...perZone) - Math.min(...perZone) > 1) broken += Math.max(...perZone) - Math.min(...perZone) - 1;
    }
    return broken;
  },
};
