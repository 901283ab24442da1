import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeObjectsServer, Informer, ObjectsClient, Resources, type KubeObject } from '@kubelab/client';
import { createLogger, waitFor } from '@kubelab/component-base';
import { StaticPodManager } from './static-pod-manager';

const log = createLogger('kubelet', 'silent');
const NODE = 'node-1';
const NODE_IP = '127.151.0.2';
const MIRROR_KEY = '/pods/kube-system/kube-scheduler-node-1';

/** A stand-in for a lab process: an HTTP server answering /healthz (on `port`, or one the OS picks); resolves with its port. */
function startComponent(port = 0): Promise<{ child: ChildProcess; port: number }> {
  const program = `require('http').createServer((q, r) => r.end('ok')).listen(${port}, '127.0.0.1', function () { console.log(this.address().port) })`;
  const child = spawn(process.execPath, ['-e', program], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', (chunk: Buffer) => resolve({ child, port: Number(chunk.toString().trim()) }));
  });
}

interface PodView extends KubeObject {
  status: {
    phase: string;
    podIP: string;
    hostIP: string;
    qosClass: string;
    conditions: Array<{ type: string; status: string }>;
    containerStatuses: Array<{ ready: boolean; restartCount: number; state: Record<string, Record<string, unknown>>; lastState: Record<string, Record<string, unknown>> }>;
  };
}

describe('StaticPodManager', () => {
  let server: FakeObjectsServer;
  let client: ObjectsClient;
  let dir: string;
  let manager: StaticPodManager | undefined;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    server = new FakeObjectsServer();
    client = new ObjectsClient(await server.start());
    server.write(Resources.nodes, 'ADDED', { apiVersion: 'v1', kind: 'Node', metadata: { name: NODE, uid: 'node-uid-1' } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelab-static-pods-'));
    fs.mkdirSync(path.join(dir, 'manifests'));
  });

  afterEach(async () => {
    await manager?.stop();
    manager = undefined;
    for (const child of children.splice(0)) child.kill('SIGKILL');
    client.close();
    server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const stateFile = () => path.join(dir, 'lab.json');
  const record = (pid: number) => fs.writeFileSync(stateFile(), JSON.stringify({ processes: [{ name: 'nats', pid: 1 }, { name: 'scheduler', pid }] }));
  const mirror = () => server.objects.get(MIRROR_KEY) as PodView | undefined;
  const container = () => mirror()?.status?.containerStatuses?.[0];
  const condition = (type: string) => mirror()?.status?.conditions?.find((c) => c.type === type)?.status;
  const writeManifest = (port: number) =>
    fs.writeFileSync(
      path.join(dir, 'manifests', 'kube-scheduler.yaml'),
      `apiVersion: v1
kind: Pod
metadata:
  name: kube-scheduler
  namespace: kube-system
  labels: {component: kube-scheduler, tier: control-plane}
  annotations:
    kubelab.io/process: '${JSON.stringify({ stateFile: stateFile(), name: 'scheduler' })}'
spec:
  hostNetwork: true
  priorityClassName: system-node-critical
  containers:
  - name: kube-scheduler
    image: registry.k8s.io/kube-scheduler:v1.32.0
    resources: {requests: {cpu: 100m}}
    readinessProbe:
      httpGet: {host: 127.0.0.1, port: ${port}, path: /healthz, scheme: HTTP}
      periodSeconds: 1
      timeoutSeconds: 1
      failureThreshold: 1
`,
    );
  const start = () => {
    manager = new StaticPodManager({ client, nodeName: NODE, nodeIP: NODE_IP, manifestDir: path.join(dir, 'manifests'), log, syncPeriodMs: 100 });
    manager.start();
  };

  it("mirrors a lab process: Running and Ready while it runs and answers, not Ready while stopped, Error once killed, Running again with a restart counted when the lab starts it again", async () => {
    const first = await startComponent();
    children.push(first.child);
    record(first.child.pid!);
    writeManifest(first.port);
    start();

    await waitFor(() => condition('Ready') === 'True', { timeoutMs: 10_000, what: 'the mirror pod Ready' });
    const pod = mirror()!;
    expect(pod.metadata.annotations!['kubernetes.io/config.mirror']).toBe(pod.metadata.annotations!['kubernetes.io/config.hash']);
    expect(pod.metadata.annotations!['kubernetes.io/config.source']).toBe('file');
    expect(pod.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Node', name: NODE, uid: 'node-uid-1', controller: true }]);
    expect(pod.spec).toMatchObject({ nodeName: NODE, tolerations: [{ operator: 'Exists', effect: 'NoExecute' }] });
    expect(pod.status).toMatchObject({ phase: 'Running', podIP: NODE_IP, hostIP: NODE_IP, qosClass: 'Burstable' });
    expect(pod.status.conditions.map((c) => `${c.type}=${c.status}`)).toEqual(['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
    const startedAt = Date.parse(String(container()!.state.running!.startedAt));
    expect(Math.abs(startedAt - Date.now())).toBeLessThan(30_000);
    expect(container()).toMatchObject({ ready: true, restartCount: 0, image: 'registry.k8s.io/kube-scheduler:v1.32.0' });

    first.child.kill('SIGSTOP');
    await waitFor(() => condition('Ready') === 'False', { timeoutMs: 10_000, what: 'not Ready while stopped' });
    expect(container()).toMatchObject({ ready: false, state: { running: {} } });
    first.child.kill('SIGCONT');
    await waitFor(() => condition('Ready') === 'True', { timeoutMs: 10_000, what: 'Ready again' });

    first.child.kill('SIGKILL');
    await waitFor(() => container()?.state.terminated, { timeoutMs: 10_000, what: 'the container terminated' });
    expect(container()!.state.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    expect(mirror()!.status.phase).toBe('Running');
    expect(condition('Ready')).toBe('False');

    const second = await startComponent(first.port);
    children.push(second.child);
    record(second.child.pid!);
    await waitFor(() => condition('Ready') === 'True', { timeoutMs: 10_000, what: 'Ready after the restart' });
    expect(container()).toMatchObject({ restartCount: 1, state: { running: {} }, lastState: { terminated: { exitCode: 137, reason: 'Error' } } });
  });

  it('makes a deleted mirror pod again, and deletes the mirror pod of a manifest that is removed', async () => {
    const component = await startComponent();
    children.push(component.child);
    record(component.child.pid!);
    writeManifest(component.port);
    // A pod of this node that is not a mirror is none of the static pods' business.
    server.write(Resources.pods, 'ADDED', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default', uid: 'web-uid' }, spec: { nodeName: NODE, containers: [{ name: 'web', image: 'nginx' }] } });
    start();
    await waitFor(() => condition('Ready') === 'True', { timeoutMs: 10_000, what: 'the mirror pod Ready' });
    const uid = mirror()!.metadata.uid;

    // kubectl delete: a graceful deletion; the kubelet deletes it for good and makes a new one.
    const deleting = await client.delete(Resources.pods, 'kube-system', 'kube-scheduler-node-1');
    expect(deleting.finished).toBe(false);
    await waitFor(() => mirror() && mirror()!.metadata.uid !== uid && !mirror()!.metadata.deletionTimestamp && condition('Ready') === 'True', { timeoutMs: 10_000, what: 'a new mirror pod' });

    fs.rmSync(path.join(dir, 'manifests', 'kube-scheduler.yaml'));
    await waitFor(() => !mirror(), { timeoutMs: 10_000, what: 'the mirror pod deleted' });
    expect(server.objects.has('/pods/default/web')).toBe(true);
  });

  it("shares the kubelet's pod informer when given one: one watch, which it neither starts nor stops", async () => {
    const component = await startComponent();
    children.push(component.child);
    record(component.child.pid!);
    writeManifest(component.port);
    const pods = new Informer({ client, resource: Resources.pods, fieldSelector: `spec.nodeName=${NODE}`, log });
    pods.start();
    try {
      await pods.waitForSync(5_000);
      manager = new StaticPodManager({ client, nodeName: NODE, nodeIP: NODE_IP, manifestDir: path.join(dir, 'manifests'), pods, log, syncPeriodMs: 100 });
      manager.start();
      await waitFor(() => condition('Ready') === 'True', { timeoutMs: 10_000, what: 'the mirror pod Ready' });
      expect(server.calls.Watch).toBe(1);
      // A mirror deleted by someone is seen through the shared informer and made again.
      const uid = mirror()!.metadata.uid;
      await client.delete(Resources.pods, 'kube-system', 'kube-scheduler-node-1');
      await waitFor(() => mirror() && mirror()!.metadata.uid !== uid && !mirror()!.metadata.deletionTimestamp, { timeoutMs: 10_000, what: 'a new mirror pod' });
      await manager.stop();
      manager = undefined;
      // Still the kubelet's: it keeps watching.
      server.write(Resources.pods, 'ADDED', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'late', namespace: 'default', uid: 'late-uid' }, spec: { nodeName: NODE, containers: [] } });
      await waitFor(() => pods.indexer.list().some((p) => p.metadata.name === 'late'), { timeoutMs: 5_000, what: 'the informer still watching' });
    } finally {
      await pods.stop();
    }
  });
});
