import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EventRecorder, FakeClock, FakeObjectsServer, ObjectsClient, Resources, type GroupVersionResource, type KubeObject } from '@kubelab/client';
import { createLogger, waitFor } from '@kubelab/component-base';
import { PodIPAllocator } from '../../network/ipam';
import type { ContainerStatus } from '../../runtime/types';
import type { Container, PodSpec, PodStatus } from '../../status/api-types';
import { PodWorkers, type PodWorkersOptions } from '../pod-workers';
import { FakeProbes } from './fake-probes';
import { FakeRuntime } from './fake-runtime';

export const NODE = 'node-1';
export const NODE_IP = '127.18.0.2';
export const T0 = Date.parse('2026-01-01T00:00:00Z');

export interface PodWorkersEnv {
  server: FakeObjectsServer;
  client: ObjectsClient;
  clock: FakeClock;
  runtime: FakeRuntime;
  probes: FakeProbes;
  ipam: PodIPAllocator;
  stateFile: string;
  workers: PodWorkers;
  /** Stops this kubelet and starts another on the same IPAM state file (a restart), with its own runtime and prober. */
  restart(runtime: FakeRuntime, probes: FakeProbes): Promise<PodWorkers>;
  createPod(name: string, spec: Partial<PodSpec> & { containers: Container[] }, meta?: Partial<KubeObject['metadata']>): Promise<KubeObject>;
  pod(name: string): KubeObject | undefined;
  status(name: string): PodStatus;
  /** Waits (real time) until `check` holds for the pod. */
  until<T>(what: string, check: () => T | undefined | false): Promise<T>;
  /** The events written so far, "Type Reason Message". */
  events(): Promise<string[]>;
  /** The pod's container by name, current instance. */
  container(podName: string, name: string): ContainerStatus;
  close(): Promise<void>;
}

export interface EnvOptions {
  crashLoopBackOff?: { initialMs: number; maxMs: number };
  dns?: PodWorkersOptions['dns'] | null;
  /** The node's podCIDR (default 127.244.1.0/24; a test that listens on pod IPs picks its own). */
  cidr?: string;
  /** Objects the apiserver has before the kubelet starts. */
  fixtures?: Array<[GroupVersionResource, KubeObject]>;
}

/**
 * The pod workers' world for unit tests: FakeObjectsServer as the apiserver over real gRPC, a
 * FakeRuntime, FakeProbes, a FakeClock, a real IPAM on a temporary state file.
 */
export async function podWorkersEnv(options: EnvOptions = {}): Promise<PodWorkersEnv> {
  const server = new FakeObjectsServer();
  const client = new ObjectsClient(await server.start());
  const clock = new FakeClock(T0);
  const log = createLogger('kubelet-test', 'silent');
  const runtime = new FakeRuntime(clock);
  const probes = new FakeProbes();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelab-podworkers-'));
  const stateFile = path.join(dir, 'ipam.json');
  const cidr = options.cidr ?? '127.244.1.0/24';
  const ipam = new PodIPAllocator({ cidr, stateFile });
  const recorder = new EventRecorder({ client, component: 'kubelet', host: NODE, clock, log });
  const make = (runtimeFor: FakeRuntime, probesFor: FakeProbes, ipamFor: PodIPAllocator) =>
    new PodWorkers({
      client,
      nodeName: NODE,
      nodeIP: NODE_IP,
      runtime: runtimeFor,
      probes: probesFor,
      ipam: ipamFor,
      recorder,
      clock,
      log,
      crashLoopBackOff: options.crashLoopBackOff ?? { initialMs: 10_000, maxMs: 300_000 },
      ...(options.dns === null ? {} : { dns: options.dns ?? { nameserver: '127.96.0.10', clusterDomain: 'cluster.local' } }),
    });
  for (const [resource, object] of options.fixtures ?? []) await client.create(resource, object);
  const workersList: PodWorkers[] = [];
  const workers = make(runtime, probes, ipam);
  workersList.push(workers);
  await workers.start();
  const objects = (prefix: string) => [...server.objects.entries()].filter(([k]) => k.startsWith(prefix)).map(([, o]) => o);
  const env: PodWorkersEnv = {
    server,
    client,
    clock,
    runtime,
    probes,
    ipam,
    stateFile,
    workers,
    async restart(nextRuntime, nextProbes) {
      await workersList[workersList.length - 1]!.stop();
      const next = make(nextRuntime, nextProbes, new PodIPAllocator({ cidr, stateFile }));
      workersList.push(next);
      await next.start();
      return next;
    },
    createPod: (name, spec, meta = {}) =>
      client.create(Resources.pods, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'default', ...meta },
        spec: { nodeName: NODE, restartPolicy: 'Always', terminationGracePeriodSeconds: 30, enableServiceLinks: true, ...spec },
        status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:00Z' }] },
      } as KubeObject),
    pod: (name) => server.objects.get(`/pods/default/${name}`),
    status: (name) => (server.objects.get(`/pods/default/${name}`)?.status ?? {}) as PodStatus,
    until: (what, check) => waitFor(() => check(), { timeoutMs: 5_000, intervalMs: 5, what }),
    async events() {
      await recorder.flush();
      return objects('/events/').map((e) => `${e.type} ${e.reason} ${e.message}`);
    },
    container(podName, name) {
      const pod = server.objects.get(`/pods/default/${podName}`);
      const c = runtime.current(pod!.metadata.uid!, name);
      if (!c) throw new Error(`no container ${name} in ${podName}`);
      return c;
    },
    async close() {
      for (const w of workersList) await w.stop();
      await recorder.close();
      client.close();
      server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return env;
}
