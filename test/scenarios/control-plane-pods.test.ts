import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { startCluster, type Cluster } from '@kubelab/testkit';
import { kubectlSession, restartedProcess } from './scenario';

interface LabJson {
  processes: Array<{ name: string; pid: number; startTime?: number; logFile: string }>;
}

const CP = 'kubelab-control-plane';
const CONTROL_PLANE_PODS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'].map((c) => `${c}-${CP}`);
const PROXY_PODS = [CP, 'kubelab-worker', 'kubelab-worker2'].map((n) => `kube-proxy-${n}`);

/**
 * Scenario 06 step 1 and 05 step 7 on a real lab (`kubelab up`, the real kubectl): the control
 * plane and kube-proxy are pods in kube-system, static pods of the nodes' kubelets shown by
 * their mirror pods, Running while their processes run and not when they stop or die.
 */
describe('the control plane as static pods in kube-system', () => {
  let cluster: Cluster;
  const { ok, rows } = kubectlSession(() => cluster.kubeconfig);
  const stopped = new Set<number>();
  const labJson = () => JSON.parse(fs.readFileSync(path.join(cluster.dir, 'lab.json'), 'utf8')) as LabJson;
  const pid = (name: string) => labJson().processes.find((p) => p.name === name)!.pid;
  /** NAME → [READY, STATUS, RESTARTS] of kube-system's pods. */
  const kubeSystem = () => new Map(rows('get', 'pods', '-n', 'kube-system', '--no-headers').map((r) => [r[0]!, r.slice(1, 4)]));
  const row = (name: string) => kubeSystem().get(name)?.join(' ');

  beforeAll(async () => {
    cluster = await startCluster();
  }, 180_000);
  afterAll(async () => {
    for (const p of stopped) process.kill(p, 'SIGCONT');
    await cluster?.down();
  }, 180_000);

  it('06-1: kubectl get pods -n kube-system lists etcd, kube-apiserver, kube-controller-manager, kube-scheduler and a kube-proxy per node, 1/1 Running', async () => {
    await waitFor(() => [...CONTROL_PLANE_PODS, ...PROXY_PODS].every((name) => row(name)?.startsWith('1/1 Running')), { timeoutMs: 30_000, what: 'every static pod 1/1 Running' });
    const wide = rows('get', 'pod', `kube-scheduler-${CP}`, '-n', 'kube-system', '-o', 'wide', '--no-headers')[0]!;
    // IP and NODE: the node's own address (host network), the control-plane node.
    expect([wide[5], wide[6]]).toEqual([cluster.nodes[0]!.ip, CP]);
    const pod = JSON.parse(ok('get', 'pod', `kube-apiserver-${CP}`, '-n', 'kube-system', '-o', 'json')) as {
      metadata: { labels: Record<string, string>; annotations: Record<string, string>; ownerReferences: Array<{ kind: string; name: string; controller: boolean }> };
      spec: { priority: number; containers: Array<{ image: string; command: string[] }> };
      status: { qosClass: string; podIP: string };
    };
    expect(pod.metadata.labels).toEqual({ component: 'kube-apiserver', tier: 'control-plane' });
    expect(pod.metadata.annotations['kubernetes.io/config.source']).toBe('file');
    expect(pod.metadata.annotations['kubernetes.io/config.mirror']).toBe(pod.metadata.annotations['kubernetes.io/config.hash']);
    expect(pod.metadata.ownerReferences).toMatchObject([{ kind: 'Node', name: CP, controller: true }]);
    expect(pod.spec.priority).toBe(2000001000);
    expect(pod.spec.containers[0]!.image).toBe('registry.k8s.io/kube-apiserver:v1.32.0');
    expect(pod.spec.containers[0]!.command).toContain('apiserver');
    expect(pod.status.qosClass).toBe('Burstable');
    // The pod workers leave mirror pods alone: they would try to pull registry.k8s.io's images (not in the catalogue).
    expect(ok('get', 'events', '-n', 'kube-system', '--field-selector', 'reason=Pulling', '-o', 'name')).toBe('');
  });

  it('05-7: the jsonpath for priorityClassName system-node-critical lists them in kube-system', () => {
    const out = ok('get', 'pod', '--all-namespaces', '-o', 'jsonpath={range .items[?(@.spec.priorityClassName=="system-node-critical")]}{.metadata.name}{"\\t"}{.metadata.namespace}{"\\n"}{end}');
    expect(out.trim().split('\n').sort()).toEqual([...CONTROL_PLANE_PODS, ...PROXY_PODS].map((name) => `${name}\tkube-system`).sort());
  });

  it('06-1: a stopped scheduler (SIGSTOP) shows 0/1; SIGCONT makes it 1/1 Running again', async () => {
    const scheduler = pid('scheduler');
    process.kill(scheduler, 'SIGSTOP');
    stopped.add(scheduler);
    // Three failed readiness probes, a second apart, each timing out after a second.
    await waitFor(() => row(`kube-scheduler-${CP}`)?.startsWith('0/1 Running'), { timeoutMs: 20_000, intervalMs: 250, what: 'kube-scheduler 0/1' });
    process.kill(scheduler, 'SIGCONT');
    stopped.delete(scheduler);
    await waitFor(() => row(`kube-scheduler-${CP}`) === '1/1 Running 0', { timeoutMs: 20_000, intervalMs: 250, what: 'kube-scheduler 1/1 again' });
  });

  it('06-1: a killed scheduler shows Error 0/1; started again by the lab (a new pid in lab.json) it is Running with one restart', async () => {
    const before = labJson();
    const entry = before.processes.find((p) => p.name === 'scheduler')!;
    process.kill(entry.pid, 'SIGKILL');
    await waitFor(() => row(`kube-scheduler-${CP}`) === '0/1 Error 0', { timeoutMs: 20_000, intervalMs: 250, what: 'kube-scheduler 0/1 Error' });
    const last = JSON.parse(ok('get', 'pod', `kube-scheduler-${CP}`, '-n', 'kube-system', '-o', 'jsonpath={.status.containerStatuses[0].state.terminated}')) as { exitCode: number; reason: string };
    expect(last).toMatchObject({ exitCode: 137, reason: 'Error' });

    // What a supervisor of the lab does: the same command line (the manifest's), a new pid in lab.json.
    const manifest = yaml.load(fs.readFileSync(path.join(cluster.dir, 'manifests', CP, 'kube-scheduler.json'), 'utf8')) as { spec: { containers: Array<{ command: string[] }> } };
    const [command, ...args] = manifest.spec.containers[0]!.command;
    const log = fs.openSync(entry.logFile, 'a');
    const child = spawn(command!, args, { detached: true, stdio: ['ignore', log, log] });
    fs.closeSync(log);
    child.unref();
    const after = { ...before, processes: before.processes.map((p) => (p.name === 'scheduler' ? restartedProcess(p, child.pid!) : p)) };
    fs.writeFileSync(path.join(cluster.dir, 'lab.json.tmp'), JSON.stringify(after, null, 2));
    fs.renameSync(path.join(cluster.dir, 'lab.json.tmp'), path.join(cluster.dir, 'lab.json'));
    await waitFor(() => row(`kube-scheduler-${CP}`)?.match(/^1\/1 Running 1 \(\S+ ago\)$/), { timeoutMs: 30_000, intervalMs: 250, what: 'kube-scheduler Running with 1 restart' });
  });

  it('06-1: kubectl delete of a mirror pod: the kubelet makes it again (a new UID), with its restart count', async () => {
    const name = `kube-scheduler-${CP}`;
    const uid = ok('get', 'pod', name, '-n', 'kube-system', '-o', 'jsonpath={.metadata.uid}');
    expect(ok('delete', 'pod', name, '-n', 'kube-system')).toBe(`pod "${name}" deleted\n`);
    await waitFor(
      () => {
        const now = rows('get', 'pod', name, '-n', 'kube-system', '-o', 'custom-columns=UID:.metadata.uid,READY:.status.containerStatuses[0].ready,RESTARTS:.status.containerStatuses[0].restartCount', '--no-headers')[0];
        return now && now[0] !== uid && now[1] === 'true' && now[2] === '1';
      },
      { timeoutMs: 20_000, intervalMs: 250, what: 'a new mirror pod, ready, restart count 1' },
    );
  });
});
