import { ObjectsClient } from '@kubelab/client';
import { HollowNodes, type HollowNodeSpec } from './hollow-nodes';
import { startKubelabApiserver, startKubelabComponent, startKubelabStore, type ApiserverProcess, type ServerProcess } from './servers';

/** A kind-multinode-like topology: a tainted control-plane node and two workers in zones a and b. */
export const MULTINODE: HollowNodeSpec[] = [
  { name: 'kubelab-control-plane', role: 'control-plane', taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] },
  { name: 'kubelab-worker', labels: { zone: 'a' } },
  { name: 'kubelab-worker2', labels: { zone: 'b' } },
];

/** The lab's fast profile, as flags (see packages/kubelab/src/lab/profiles.ts). */
export const FAST_LEADER_ELECTION = ['--leader-elect-lease-duration', '4s', '--leader-elect-renew-deadline', '3s', '--leader-elect-retry-period', '1s'];
export const FAST_NODE_MONITOR = ['--node-monitor-period', '1s', '--node-monitor-grace-period', '6s', '--node-startup-grace-period', '10s'];

export interface ControlPlane {
  store: ServerProcess;
  apiserver: ApiserverProcess;
  schedulers: ServerProcess[];
  controllerManagers: ServerProcess[];
  client: ObjectsClient;
  nodes: HollowNodes;
  stop(): Promise<void>;
}

/**
 * A control plane of real processes (store, apiserver, `replicas` schedulers and
 * controller-managers with leader election, on the fast profile's timings) and hollow nodes
 * in this process.
 */
export async function startControlPlane(options: { nodes?: HollowNodeSpec[]; replicas?: number; tolerationSeconds?: number; controllerManagerArgs?: string[] } = {}): Promise<ControlPlane> {
  const store = await startKubelabStore();
  const seconds = String(options.tolerationSeconds ?? 300);
  const apiserver = await startKubelabApiserver(store.endpoint, { args: ['--default-not-ready-toleration-seconds', seconds, '--default-unreachable-toleration-seconds', seconds] });
  const replicas = options.replicas ?? 1;
  const schedulers: ServerProcess[] = [];
  const controllerManagers: ServerProcess[] = [];
  for (let i = 0; i < replicas; i++) {
    schedulers.push(await startKubelabComponent('scheduler', apiserver, FAST_LEADER_ELECTION));
    controllerManagers.push(await startKubelabComponent('controller-manager', apiserver, [...FAST_LEADER_ELECTION, ...FAST_NODE_MONITOR, ...(options.controllerManagerArgs ?? [])]));
  }
  const client = new ObjectsClient(apiserver.grpcEndpoint);
  const nodes = new HollowNodes(client, options.nodes ?? MULTINODE);
  await nodes.start();
  return {
    store,
    apiserver,
    schedulers,
    controllerManagers,
    client,
    nodes,
    async stop() {
      await nodes.stop();
      client.close();
      for (const p of [...schedulers, ...controllerManagers]) await p.stop();
      await apiserver.stop();
      await store.stop();
    },
  };
}
