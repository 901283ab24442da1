import * as fs from 'node:fs';
import * as net from 'node:net';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { kubectlAsync, startCluster, type Cluster } from '@kubelab/testkit';
import { httpGet } from './http';
import { kubectlSession, scenarioManifest, table } from './scenario';

/** The lab of scenario 04: one node with cpu 2 and about 6Gi of memory (the topology sets it). */
const ONE_NODE = `kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
  - role: control-plane
    capacity:
      cpu: "2"
      memory: 6Gi
`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * Scenario 04 with the real kubectl on a real one-node lab: QoS classes, Insufficient memory, and a
 * real memory leak killed at its limit (OOMKilled, 137) while traffic comes through
 * `kubectl port-forward`.
 */
describe('scenario 04: resources, QoS, scheduling failure for lack of memory, OOMKilled', { timeout: 120_000 }, () => {
  let cluster: Cluster;
  const { k, ok, apply } = kubectlSession(() => cluster.kubeconfig);
  const rows = (...args: string[]) => table(ok(...args));
  const pods = (selector: string) => table(k('get', 'pods', '-l', selector, '--no-headers').stdout).filter((r) => r[0]);

  beforeAll(async () => {
    cluster = await startCluster({ config: ONE_NODE });
  }, 120_000);
  afterAll(async () => {
    await cluster?.down();
  });

  it('1: qosClass is Guaranteed with requests = limits, Burstable with some, BestEffort with none', async () => {
    const podWith = (name: string, resources: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  containers:
    - name: hello-server
      image: blux2/hello-server:1.6
      resources: ${resources}
`;
    apply(podWith('guaranteed', '{ requests: { memory: 64Mi, cpu: 10m }, limits: { memory: 64Mi, cpu: 10m } }'));
    apply(podWith('burstable', '{ requests: { memory: 64Mi } }'));
    apply(podWith('besteffort', '{}'));
    expect(ok('get', 'pod', 'guaranteed', '--output', 'jsonpath={.status.qosClass}')).toBe('Guaranteed');
    expect(ok('get', 'pod', 'burstable', '--output', 'jsonpath={.status.qosClass}')).toBe('Burstable');
    expect(ok('get', 'pod', 'besteffort', '--output', 'jsonpath={.status.qosClass}')).toBe('BestEffort');
    // 64Mi holds an idle hello-server: it runs and stays up.
    await waitFor(() => pods('').filter((p) => ['guaranteed', 'burstable', 'besteffort'].includes(p[0]!) && p[1] === '1/1' && p[2] === 'Running').length === 3, { timeoutMs: 30_000, what: 'three pods Running' });
    ok('delete', 'pod', 'guaranteed', 'burstable', 'besteffort');
  });

  it('2-3: three replicas of 5Gi: one Running, two Pending with Insufficient memory; describe node; diff and apply of 64Mi make all three Running', async () => {
    apply(fs.readFileSync(scenarioManifest('deployment-memory.yaml'), 'utf8'));
    await waitFor(() => {
      const p = pods('app=hello-server');
      return p.length === 3 && p.filter((r) => r[2] === 'Running').length === 1 && p.filter((r) => r[2] === 'Pending').length === 2;
    }, { timeoutMs: 30_000, what: 'one Running, two Pending' });
    const pending = pods('app=hello-server').find((r) => r[2] === 'Pending')![0]!;
    await waitFor(() => ok('describe', 'pod', pending).includes('FailedScheduling'), { timeoutMs: 10_000, what: 'FailedScheduling' });
    const text = ok('describe', 'pod', pending);
    expect(text).toMatch(/^Node:\s+<none>$/m);
    expect(text).toMatch(/PodScheduled\s+False/);
    expect(text).toContain('0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.');
    const node = ok('describe', 'node', 'kubelab-control-plane');
    expect(node).toMatch(/Capacity:\n\s+cpu:\s+2\n[\s\S]*memory:\s+6Gi/);
    expect(node).toMatch(/Allocatable:\n\s+cpu:\s+2/);
    expect(node).toMatch(/Non-terminated Pods:\s+\(\d+ in total\)\n\s+Namespace\s+Name\s+CPU Requests\s+CPU Limits\s+Memory Requests\s+Memory Limits\s+Age/);
    expect(node).toMatch(/default\s+hello-server-\S+\s+10m \(0%\)\s+10m \(0%\)\s+5Gi \(83%\)\s+5Gi \(83%\)/);
    expect(node).toMatch(/Allocated resources:[\s\S]*memory\s+5Gi \(83%\)\s+5Gi \(83%\)/);
    expect(ok('get', 'deployment', 'hello-server', '-o=jsonpath={.spec.template.spec.containers[0].resources.requests}')).toBe('{"cpu":"10m","memory":"5Gi"}');
    const fixedFile = `${cluster.dir}/deployment-memory-fixed.yaml`;
    fs.writeFileSync(fixedFile, fs.readFileSync(scenarioManifest('deployment-memory.yaml'), 'utf8').replace(/memory: 5Gi/g, 'memory: 64Mi'));
    const diff = k('diff', '-f', fixedFile);
    expect(diff.status).toBe(1);
    expect(diff.stdout).toMatch(/^-\s+memory: 5Gi$/m);
    expect(diff.stdout).toMatch(/^\+\s+memory: 64Mi$/m);
    ok('apply', '-f', fixedFile);
    await waitFor(() => {
      const p = pods('app=hello-server');
      return p.length === 3 && p.every((r) => r[1] === '1/1' && r[2] === 'Running');
    }, { timeoutMs: 60_000, what: 'three pods Running' });
    ok('delete', 'deployment', 'hello-server');
    await waitFor(() => pods('app=hello-server').length === 0, { timeoutMs: 30_000, what: 'hello-server pods gone' });
  });

  it('4: hello-server:1.7 leaks; through port-forward, traffic gets it OOMKilled (137), then it runs again with RESTARTS 1; 1.8 does not leak', async () => {
    ok('create', 'deployment', 'hello-server', '--image=blux2/hello-server:1.7', '--port', '8080');
    ok('set', 'resources', 'deployment', 'hello-server', '--limits=memory=100Mi');
    // The limit rolls out a new ReplicaSet: wait for it, so the pod watched below is the limited one.
    const limited = await kubectlAsync(cluster.kubeconfig, ['rollout', 'status', 'deployment/hello-server', '--timeout=60s']);
    expect(limited.stdout).toContain('successfully rolled out');
    await waitFor(() => {
      const p = pods('app=hello-server');
      return p.length === 1 && p[0]![1] === '1/1' && p[0]![2] === 'Running';
    }, { timeoutMs: 60_000, what: 'hello-server 1.7 Running' });
    const name = pods('app=hello-server')[0]![0]!;
    const port = await freePort();
    const forward = spawn('kubectl', ['port-forward', 'deployments/hello-server', `${port}:8080`], { env: { ...process.env, KUBECONFIG: cluster.kubeconfig } });
    let forwardOut = '';
    forward.stdout.on('data', (c: Buffer) => (forwardOut += c.toString()));
    try {
      await waitFor(() => forwardOut.includes(`Forwarding from 127.0.0.1:${port} -> 8080`), { timeoutMs: 15_000, what: 'port-forward to listen' });
      expect((await httpGet(`http://127.0.0.1:${port}/`)).body).toContain("Hello, world! Let's learn Kubernetes!");
      const statuses = new Set<string>();
      await waitFor(async () => {
        await httpGet(`http://127.0.0.1:${port}/`, 2_000).catch(() => undefined);
        statuses.add(pods('app=hello-server')[0]?.[2] ?? '');
        return ok('get', 'pod', name, '-o', 'jsonpath={.status.containerStatuses[0].lastState.terminated.reason}') === 'OOMKilled';
      }, { timeoutMs: 60_000, intervalMs: 10, what: 'OOMKilled' });
      const last = JSON.parse(ok('get', 'pod', name, '-o', 'jsonpath={.status.containerStatuses[0].lastState}')) as { terminated: { reason: string; exitCode: number } };
      expect(last.terminated).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
      await waitFor(() => {
        const p = pods('app=hello-server')[0] ?? [];
        statuses.add(p[2] ?? '');
        return p[2] === 'Running' && p[3]?.startsWith('1');
      }, { timeoutMs: 60_000, intervalMs: 100, what: 'Running again with RESTARTS 1' });
    } finally {
      forward.kill();
    }
    ok('set', 'image', 'deployment/hello-server', 'hello-server=blux2/hello-server:1.8');
    const rolled = await kubectlAsync(cluster.kubeconfig, ['rollout', 'status', 'deployment/hello-server', '--timeout=60s']);
    expect(rolled.stdout).toContain('successfully rolled out');
  });

  it('5: json, merge and strategic merge patches of the Deployment work as in Kubernetes', async () => {
    apply(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: patched
spec:
  selector: { matchLabels: { app: patched } }
  template:
    metadata: { labels: { app: patched } }
    spec:
      containers:
        - name: hello-server
          image: blux2/hello-server:1.8
          args: ["--verbose"]
`);
    expect(ok('patch', 'deployment', 'patched', '--type=json', '-p', '[{"op":"add","path":"/spec/template/spec/containers/0/args/-","value":"--flag"}]')).toBe('deployment.apps/patched patched\n');
    expect(ok('get', 'deployment', 'patched', '-o', 'jsonpath={.spec.template.spec.containers[0].args}')).toBe('["--verbose","--flag"]');
    ok('patch', 'deployment', 'patched', '--type=merge', '-p', '{"spec":{"replicas":2}}');
    ok('patch', 'deployment', 'patched', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"hello-server","env":[{"name":"PORT","value":"8080"}]}]}}}}');
    expect(ok('get', 'deployment', 'patched', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].env[0].name}')).toBe('2 PORT');
    await waitFor(() => rows('get', 'deployment', 'patched')[1]?.[1] === '2/2', { timeoutMs: 60_000, what: 'patched 2/2' });
  });
  it('an image the catalogue does not have: ErrImagePull, then ImagePullBackOff, with the pull error in the events', async () => {
    expect(ok('run', 'typo', '--image=nginxx:1.25')).toBe('pod/typo created\n');
    const statuses = new Set<string>();
    await waitFor(() => {
      statuses.add(table(ok('get', 'pod', 'typo', '--no-headers'))[0]?.[2] ?? '');
      return statuses.has('ImagePullBackOff');
    }, { timeoutMs: 30_000, intervalMs: 100, what: 'ImagePullBackOff' });
    const text = ok('describe', 'pod', 'typo');
    expect(text).toMatch(/State:\s+Waiting\n\s+Reason:\s+(ErrImagePull|ImagePullBackOff)/);
    expect(text).toContain('Failed to pull image "nginxx:1.25": rpc error: code = ');
    expect(text).toContain('failed to pull and unpack image "docker.io/library/nginxx:1.25"');
    expect(text).toMatch(/Error: ErrImagePull/);
    expect(text).toMatch(/Back-off pulling image "nginxx:1.25"/);
    ok('delete', 'pod', 'typo');
  });
});
