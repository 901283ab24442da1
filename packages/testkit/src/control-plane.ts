import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { ObjectsClient } from '@kubelab/client';
import type { HollowNodeSpec } from './hollow-nodes';
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
  nodes: HollowNodeProcesses;
  stop(): Promise<void>;
}

/** Hollow nodes, one process each: `silence` pauses one (SIGSTOP) as a kubelet that died, `resume` revives it. */
export class HollowNodeProcesses {
  private readonly children = new Map<string, ChildProcess>();

  constructor(
    private readonly grpcEndpoint: string,
    readonly specs: HollowNodeSpec[],
  ) {}

  async start(): Promise<void> {
    await Promise.all(
      this.specs.map(
        (spec) =>
          new Promise<void>((resolve, reject) => {
            const child = spawn(process.execPath, [path.join(__dirname, 'hollow-node-main.js'), this.grpcEndpoint, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'] });
            this.children.set(spec.name, child);
            let err = '';
            child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
            child.stdout!.on('data', (c: Buffer) => c.toString().includes('ready') && resolve());
            child.once('exit', (code) => reject(new Error(`hollow node ${spec.name} exited with ${code}: ${err}`)));
          }),
      ),
    );
  }

  silence(name: string): void {
    this.children.get(name)?.kill('SIGSTOP');
  }

  resume(name: string): void {
    this.children.get(name)?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    await Promise.all(
      [...this.children.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGCONT');
            child.kill('SIGTERM');
          }),
      ),
    );
  }
}

/**
 * A control plane of real processes (store, apiserver, `replicas` schedulers and
 * controller-managers with leader election, on the fast profile's timings) and hollow nodes
 * in this process.
 */
export async function startControlPlane(options: { nodes?: HollowNodeSpec[]; replicas?: number; tolerationSeconds?: number; controllerManagerArgs?: string[] } = {}): Promise<ControlPlane> {
  const started: Array<{ stop(): Promise<void> }> = [];
  // Whatever started is stopped again if a later step fails: no process outlives a failed setup.
  const track = <T extends { stop(): Promise<void> }>(p: T): T => (started.push(p), p);
  try {
    const store = track(await startKubelabStore());
    const seconds = String(options.tolerationSeconds ?? 300);
    const apiserver = track(await startKubelabApiserver(store.endpoint, { args: ['--default-not-ready-toleration-seconds', seconds, '--default-unreachable-toleration-seconds', seconds] }));
    const replicas = options.replicas ?? 1;
    const schedulers: ServerProcess[] = [];
    const controllerManagers: ServerProcess[] = [];
    for (let i = 0; i < replicas; i++) {
      schedulers.push(track(await startKubelabComponent('scheduler', apiserver, FAST_LEADER_ELECTION)));
      controllerManagers.push(track(await startKubelabComponent('controller-manager', apiserver, [...FAST_LEADER_ELECTION, ...FAST_NODE_MONITOR, ...(options.controllerManagerArgs ?? [])])));
    }
    const client = new ObjectsClient(apiserver.grpcEndpoint);
    started.push({ stop: async () => client.close() });
    const nodes = track(new HollowNodeProcesses(apiserver.grpcEndpoint, options.nodes ?? MULTINODE));
    await nodes.start();
    return {
      store,
      apiserver,
      schedulers,
      controllerManagers,
      client,
      nodes,
      async stop() {
        for (const p of started.reverse()) await p.stop();
      },
    };
  } catch (error) {
    for (const p of started.reverse()) await p.stop().catch(() => undefined);
    throw error;
  }
}
