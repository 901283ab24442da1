import { Informer, isAlreadyExists, isNotFound, metaTime, microTime, ObjectsClient, Resources, type KubeObject } from '@kubelab/client';

export interface HollowNodeSpec {
  name: string;
  role?: 'control-plane' | 'worker';
  labels?: Record<string, string>;
  taints?: Array<{ key: string; value?: string; effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' }>;
  /** Allocatable cpu / memory / pods (default 4 cores, 8Gi, 110). */
  capacity?: { cpu?: string; memory?: string; pods?: string };
}

/**
 * Nodes without processes, for tests of the control plane before (or without) real kubelets,
 * as Kubernetes' kubemark "hollow nodes": each registers its Node, renews its Lease in
 * kube-node-lease, reports the pods bound to it Running and Ready (with a made-up pod IP), and
 * finishes their deletion at once. HollowNodeProcesses runs each in a process of its own.
 */
export class HollowNodes {
  private readonly informer: Informer;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private ips = 0;

  constructor(
    private readonly client: ObjectsClient,
    readonly specs: HollowNodeSpec[],
    private readonly leaseRenewMs = 1_000,
  ) {
    this.informer = new Informer({ client, resource: Resources.pods });
    this.informer.addEventHandler({ onAdd: (pod) => void this.tend(pod), onUpdate: (_old, pod) => void this.tend(pod) });
  }

  async start(): Promise<void> {
    for (const spec of this.specs) await this.register(spec);
    this.informer.start();
    await this.informer.waitForSync(30_000);
  }

  async stop(): Promise<void> {
    for (const timer of this.timers.values()) clearInterval(timer);
    this.timers.clear();
    await this.informer.stop();
  }

  private async register(spec: HollowNodeSpec): Promise<void> {
    const capacity = { cpu: spec.capacity?.cpu ?? '4', memory: spec.capacity?.memory ?? '8Gi', pods: spec.capacity?.pods ?? '110', 'ephemeral-storage': '100Gi' };
    const labels: Record<string, string> = { 'kubernetes.io/hostname': spec.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': 'amd64', ...spec.labels };
    if (spec.role === 'control-plane') labels['node-role.kubernetes.io/control-plane'] = '';
    const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: spec.name, labels }, spec: spec.taints?.length ? { taints: spec.taints } : {} };
    try {
      await this.client.create(Resources.nodes, node);
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
    }
    await this.heartbeat(spec.name, capacity);
    this.timers.set(
      spec.name,
      setInterval(() => void this.heartbeat(spec.name, capacity).catch(() => undefined), this.leaseRenewMs),
    );
  }

  private async heartbeat(name: string, capacity: Record<string, string>): Promise<void> {
    const now = Date.now();
    const seconds = metaTime(now);
    const node = await this.client.get(Resources.nodes, undefined, name);
    const condition = (type: string, status: string, reason: string, message: string) => ({ type, status, lastHeartbeatTime: seconds, lastTransitionTime: seconds, reason, message });
    await this.client.updateStatus(Resources.nodes, {
      ...node,
      status: {
        capacity,
        allocatable: capacity,
        conditions: [
          condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
          condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
          condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
          condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
        ],
        addresses: [
          { type: 'InternalIP', address: '127.0.0.1' },
          { type: 'Hostname', address: name },
        ],
        nodeInfo: { kubeletVersion: 'v1.32.0', kubeProxyVersion: 'v1.32.0', operatingSystem: 'linux', architecture: 'amd64', containerRuntimeVersion: 'hollow://1.0', osImage: 'hollow node', kernelVersion: '', machineID: '', systemUUID: '', bootID: '' },
      },
    });
    const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime(now) } };
    try {
      const current = await this.client.get(Resources.leases, 'kube-node-lease', name);
      await this.client.update(Resources.leases, { ...current, spec: lease.spec });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await this.client.create(Resources.leases, lease);
    }
  }

  /** What a kubelet would do for a pod bound to one of our nodes. */
  private async tend(pod: KubeObject): Promise<void> {
    const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    if (!nodeName || !this.specs.some((s) => s.name === nodeName)) return;
    try {
      if (pod.metadata.deletionTimestamp) {
        await this.client.delete(Resources.pods, pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
        return;
      }
      if (pod.status?.phase !== 'Pending') return;
      const now = metaTime(Date.now());
      const ready = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now });
      const containers = (pod.spec?.containers ?? []) as Array<{ name: string; image: string }>;
      this.ips++;
      await this.client.updateStatus(Resources.pods, {
        ...pod,
        status: {
          ...pod.status,
          phase: 'Running',
          hostIP: '127.0.0.1',
          podIP: `10.244.${(this.ips >> 8) & 255}.${this.ips & 255}`,
          startTime: now,
          conditions: [ready('PodReadyToStartContainers'), ready('Initialized'), ready('Ready'), ready('ContainersReady'), ready('PodScheduled')],
          containerStatuses: containers.map((c) => ({ name: c.name, image: c.image, imageID: '', containerID: `hollow://${pod.metadata.uid}-${c.name}`, ready: true, started: true, restartCount: 0, state: { running: { startedAt: now } } })),
        },
      });
    } catch {
      // Someone else moved first (a conflict) or the apiserver is away: try again on what the cache has then.
      setTimeout(() => {
        const latest = this.informer.indexer.get(pod.metadata.namespace, pod.metadata.name!);
        if (latest && latest.metadata.uid === pod.metadata.uid) void this.tend(latest);
      }, 200).unref();
    }
  }
}
