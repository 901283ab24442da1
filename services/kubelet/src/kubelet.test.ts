import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNotFound, ObjectsClient, Resources, type KubeObject } from '@kubelab/client';
import { createLogger, waitFor } from '@kubelab/component-base';
import { startKubelabApiserver, startKubelabStore, type ApiserverProcess, type ServerProcess } from '@kubelab/testkit';
import { parseKubeletFlags } from './config';
import { startKubelet, type RunningKubelet } from './kubelet';
import { stopAllContainers } from './runtime/cleanup';

/**
 * The kubelet assembled, in this process, against a real store and apiserver (the built
 * `kubelab` binary): it registers its Node and Lease, runs a pod bound to it as a real process
 * with an IP from its podCIDR, and on the pod's deletion stops the process and lets the pod go.
 */
const rand = (n: number) => Math.floor(Math.random() * n);
const X = 100 + rand(151);
const Y = 2 * rand(127);
const NODE_IP = `127.${X}.${Y}.2`;
const POD_CIDR = `127.${X}.${Y + 1}.0/24`;
const NODE = `kubelet-e2e-${X}-${Y}`;

/** The pids of the processes started with this pod IP in their environment (what the runtime gives every container). */
function processesWithPodIP(ip: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = fs.readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (environ.includes(`KUBELAB_POD_IP=${ip}`)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile, or not ours.
    }
  }
  return pids;
}

describe('kubelet against the real apiserver', () => {
  let store: ServerProcess;
  let apiserver: ApiserverProcess;
  let client: ObjectsClient;
  let kubelet: RunningKubelet | undefined;
  const rootDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelab-kubelet-e2e-'));

  beforeAll(async () => {
    store = await startKubelabStore();
    apiserver = await startKubelabApiserver(store.endpoint);
    client = new ObjectsClient(apiserver.grpcEndpoint);
    const config = parseKubeletFlags([
      '--node-name', NODE,
      '--master', apiserver.grpcEndpoint,
      '--node-ip', NODE_IP,
      '--pod-cidr', POD_CIDR,
      '--root-dir', rootDir,
      '--node-labels', 'node-role.kubernetes.io/worker=',
      '--capacity', 'cpu=2,memory=4Gi',
      '--node-status-update-frequency', '500ms',
      '--housekeeping-interval', '500ms',
    ]);
    kubelet = await startKubelet(config, createLogger('kubelet', 'silent'));
  });

  afterAll(async () => {
    await kubelet?.close();
    // The kubelet leaves containers running on close (a restarted kubelet adopts them): stop any left.
    await stopAllContainers(rootDir).catch(() => 0);
    client?.close();
    await apiserver?.stop();
    await store?.stop();
    fs.rmSync(rootDir, { recursive: true, force: true });
  });

  it('registers a Ready Node, its Lease and /healthz', async () => {
    const node = await client.get(Resources.nodes, undefined, NODE);
    expect(node.metadata.labels).toMatchObject({ 'kubernetes.io/hostname': NODE, 'node-role.kubernetes.io/worker': '' });
    expect(node.spec).toMatchObject({ podCIDR: POD_CIDR });
    const status = node.status as { conditions: Array<{ type: string; status: string }>; addresses: unknown; daemonEndpoints: unknown; capacity: Record<string, string> };
    expect(status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(status.addresses).toEqual([
      { type: 'InternalIP', address: NODE_IP },
      { type: 'Hostname', address: NODE },
    ]);
    expect(status.daemonEndpoints).toEqual({ kubeletEndpoint: { Port: 10250 } });
    expect(status.capacity).toMatchObject({ cpu: '2', memory: '4Gi' });
    const lease = await client.get(Resources.leases, 'kube-node-lease', NODE);
    expect(lease.spec).toMatchObject({ holderIdentity: NODE, leaseDurationSeconds: 40 });
    expect(lease.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Node', name: NODE, uid: node.metadata.uid })]);
    expect(kubelet!.healthUrl).toBe(`http://${NODE_IP}:10248`);
    const res = await fetch(`${kubelet!.healthUrl}/healthz`);
    expect([res.status, await res.text()]).toEqual([200, 'ok']);

    // Nothing changed, so over two status periods (500 ms here) the status is not posted again:
    // what the apiserver stores compares equal to what the kubelet computes.
    const renewed = (lease.spec as { renewTime: string }).renewTime;
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    expect((await client.get(Resources.nodes, undefined, NODE)).metadata.resourceVersion).toBe(node.metadata.resourceVersion);
    expect((await client.get(Resources.leases, 'kube-node-lease', NODE)).spec).toMatchObject({ renewTime: renewed });
  });

  it('runs a pod bound to it as a process with a pod IP, and stops it when the pod is deleted', async () => {
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'sleeper', namespace: 'default' },
      spec: { nodeName: NODE, terminationGracePeriodSeconds: 5, containers: [{ name: 'sleep', image: 'busybox', command: ['sleep', '3600'] }] },
    };
    await client.create(Resources.pods, pod);
    const running = await waitFor(
      async () => {
        const p = await client.get(Resources.pods, 'default', 'sleeper');
        const status = p.status as { phase?: string; podIP?: string } | undefined;
        return status?.phase === 'Running' && status.podIP ? p : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100, what: 'the pod to run' },
    );
    const status = running.status as { podIP: string; hostIP: string; containerStatuses: Array<{ name: string; state: { running?: unknown }; containerID: string }> };
    expect(status.podIP).toMatch(new RegExp(`^127\\.${X}\\.${Y + 1}\\.\\d+$`));
    expect(status.hostIP).toBe(NODE_IP);
    expect(status.containerStatuses[0]).toMatchObject({ name: 'sleep', state: { running: expect.anything() } });
    expect(status.containerStatuses[0]!.containerID).toMatch(/^kubelab:\/\//);
    const pids = await waitFor(() => processesWithPodIP(status.podIP).length > 0 && processesWithPodIP(status.podIP), { what: 'the container process' });
    expect(pids.length).toBeGreaterThan(0);

    await client.delete(Resources.pods, 'default', 'sleeper');
    await waitFor(
      async () => {
        try {
          await client.get(Resources.pods, 'default', 'sleeper');
          return false;
        } catch (error) {
          if (isNotFound(error)) return true;
          throw error;
        }
      },
      { timeoutMs: 20_000, intervalMs: 100, what: 'the pod to be gone' },
    );
    await waitFor(() => processesWithPodIP(status.podIP).length === 0, { timeoutMs: 10_000, what: 'the container process to end' });
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  });
});
