import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { startCluster, type Cluster } from '@kubelab/testkit';
import { httpGet, tryGet } from './http';
import { kubectlSession, table } from './scenario';

/**
 * Scenario 01 step by step with the real kubectl on a real lab (`kubelab up`, three nodes with
 * kubelets and kube-proxies): the p4app page really comes from the pod's process, through the
 * LoadBalancer address, and counts in a real redis found by cluster DNS.
 */
describe('scenario 01: first deployment, exposure, scaling, a database behind a ClusterIP', { timeout: 120_000 }, () => {
  let cluster: Cluster;
  const { k, ok } = kubectlSession(() => cluster.kubeconfig);
  const rows = (...args: string[]) => table(ok(...args));
  const pods = (selector: string) => table(k('get', 'pods', '-l', selector, '--no-headers').stdout).filter((r) => r[0]);
  let externalIP = '';

  beforeAll(async () => {
    cluster = await startCluster();
  }, 120_000);
  afterAll(async () => {
    await cluster?.down();
  });

  it('1-2: cluster-info, three Ready nodes with ROLES and VERSION, and no pods yet', () => {
    expect(ok('cluster-info')).toMatch(/Kubernetes control plane.* is running at .*https?:\/\/127\./);
    const nodes = rows('get', 'nodes');
    expect(nodes[0]).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
    expect(nodes.slice(1).map((r) => [r[0], r[1], r[2], r[4]])).toEqual([
      ['kubelab-control-plane', 'Ready', 'control-plane', expect.stringMatching(/^v1\.32\./)],
      ['kubelab-worker', 'Ready', '<none>', expect.stringMatching(/^v1\.32\./)],
      ['kubelab-worker2', 'Ready', '<none>', expect.stringMatching(/^v1\.32\./)],
    ]);
    const empty = k('get', 'pods');
    expect(empty.stdout).toBe('');
    expect(empty.stderr).toBe('No resources found in default namespace.\n');
  });

  it('3-4: create deployment p4app → its pod goes ContainerCreating → Running 1/1, with the kubelet\'s events', async () => {
    expect(ok('create', 'deployment', 'p4app', '--image=kurokobo/p4app:0.0.1', '--port', '8080')).toBe('deployment.apps/p4app created\n');
    const seen = new Set<string>();
    await waitFor(
      () => {
        for (const r of pods('app=p4app')) seen.add(`${r[1]} ${r[2]}`);
        return seen.has('1/1 Running');
      },
      { timeoutMs: 30_000, intervalMs: 50, what: 'p4app 1/1 Running' },
    );
    const [pod] = pods('app=p4app');
    expect(pod![0]).toMatch(/^p4app-[a-z0-9]{8,10}-[a-z0-9]{5}$/);
    expect(pod!.slice(1, 4)).toEqual(['1/1', 'Running', '0']);
    const events = () => ok('get', 'events', '--field-selector', `involvedObject.name=${pod![0]}`, '-o', 'custom-columns=REASON:.reason,MESSAGE:.message', '--no-headers');
    await waitFor(() => events().includes('Started'), { timeoutMs: 10_000, what: 'the Started event' });
    const text = events();
    expect(text).toMatch(/Scheduled\s+Successfully assigned default\/p4app-\S+ to kubelab-worker2?/);
    expect(text).toMatch(/Pull(ing|ed)\s+/);
    expect(text).toMatch(/Created\s+Created container:? p4app/);
    expect(text).toMatch(/Started\s+Started container p4app/);
    const wide = rows('get', 'pods', '-o', 'wide');
    expect(wide[0]).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    expect(wide[1]![5]).toMatch(/^127\.\d+\.\d+\.\d+$/);
  });

  it("the pod's managedFields name its writers, as on a cluster: kube-controller-manager made it, the kubelet writes its status", () => {
    const [pod] = pods('app=p4app');
    const entries = JSON.parse(ok('get', 'pod', pod![0]!, '-o', 'jsonpath={.metadata.managedFields}')) as Array<{ manager: string; operation: string; subresource?: string }>;
    const who = entries.map((e) => `${e.manager} ${e.operation} ${e.subresource ?? ''}`.trim()).sort();
    expect(who).toEqual(['kube-controller-manager Update', 'kubelet Update status']);
  });

  it('5: expose --type=LoadBalancer → EXTERNAL-IP, and GET / from the host is "Served by" the pod', async () => {
    expect(ok('expose', 'deployment', 'p4app', '--type=LoadBalancer', '--port', '80', '--target-port', '8080')).toBe('service/p4app exposed\n');
    const svc = rows('get', 'services', 'p4app');
    expect(svc[0]).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    await waitFor(() => /^127\./.test((externalIP = rows('get', 'service', 'p4app')[1]?.[3] ?? '')), { timeoutMs: 15_000, what: 'an EXTERNAL-IP' });
    const [pod] = pods('app=p4app');
    const page = await waitFor(() => tryGet(`http://${externalIP}/`), { timeoutMs: 15_000, what: `GET http://${externalIP}/` });
    expect(page).toContain(`Served by: ${pod![0]}`);
  });

  it('6: scale to 2 → READY 2/2, and repeated GETs are answered by both pods', async () => {
    expect(ok('scale', 'deployment', 'p4app', '--replicas=2')).toBe('deployment.apps/p4app scaled\n');
    await waitFor(() => rows('get', 'deployments', 'p4app')[1]?.[1] === '2/2', { timeoutMs: 30_000, what: 'p4app 2/2' });
    const names = pods('app=p4app').map((r) => r[0]!);
    const servedBy = new Set<string>();
    await waitFor(
      async () => {
        const { body } = await httpGet(`http://${externalIP}/`);
        const m = /Served by: (\S+?)(<|\s|$)/.exec(body);
        if (m) servedBy.add(m[1]!);
        return names.every((n) => servedBy.has(n));
      },
      { timeoutMs: 20_000, intervalMs: 50, what: 'answers from both pods' },
    );
  });

  it('7: redis behind a ClusterIP, found by its name through cluster DNS: the counter goes up by one per request', async () => {
    ok('create', 'deployment', 'redis', '--image=redis:6.0', '--port', '6379');
    expect(ok('expose', 'deployment', 'redis', '--type=ClusterIP', '--port', '6379')).toBe('service/redis exposed\n');
    await waitFor(() => rows('get', 'deployments', 'redis')[1]?.[1] === '1/1', { timeoutMs: 30_000, what: 'redis 1/1' });
    const counter = async () => Number(/Counter: (\d+)/.exec((await httpGet(`http://${externalIP}/`)).body)?.[1] ?? NaN);
    const first = await waitFor(async () => {
      const n = await counter();
      return Number.isFinite(n) ? n : undefined;
    }, { timeoutMs: 20_000, what: 'a counter from redis' });
    const second = await counter();
    const third = await counter();
    expect([second - first, third - second]).toEqual([1, 1]);
  });

  it('8: deleting a p4app pod brings a new one; the counter keeps its value', async () => {
    const before = pods('app=p4app').map((r) => r[0]!);
    const { body } = await httpGet(`http://${externalIP}/`);
    const value = Number(/Counter: (\d+)/.exec(body)?.[1]);
    ok('delete', 'pod', before[0]!);
    await waitFor(() => {
      const now = pods('app=p4app');
      return now.length === 2 && !now.some((r) => r[0] === before[0]) && now.every((r) => r[1] === '1/1');
    }, { timeoutMs: 40_000, what: 'a replacement pod, Ready' });
    const after = await waitFor(async () => {
      const page = await tryGet(`http://${externalIP}/`);
      const n = Number(/Counter: (\d+)/.exec(page ?? '')?.[1]);
      return Number.isFinite(n) ? n : undefined;
    }, { timeoutMs: 15_000, what: 'the counter again' });
    expect(after).toBe(value + 1);
  });

  it('9: deleting the deployments and services removes their ReplicaSets and pods (and their processes)', async () => {
    ok('delete', 'deployment', 'p4app', 'redis');
    ok('delete', 'service', 'p4app', 'redis');
    await waitFor(() => k('get', 'replicasets', '--no-headers').stdout.trim() === '' && pods('app in (p4app,redis)').length === 0, { timeoutMs: 60_000, what: 'ReplicaSets and pods gone' });
    await waitFor(async () => (await tryGet(`http://${externalIP}/`)) === undefined, { timeoutMs: 10_000, what: 'nothing to answer on the old address' });
  });
});
