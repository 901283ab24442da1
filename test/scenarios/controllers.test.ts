import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { kubectlAsync, startControlPlane, type ControlPlane } from '@kubelab/testkit';
import { kubectlSession, table } from './scenario';

/**
 * The deployment parts of scenarios 01, 02 and 06 that need no running containers, with the
 * real kubectl on real processes: two schedulers and two controller-managers (leader election),
 * hollow nodes standing in for kubelets.
 */
describe('scenarios 01, 02, 06: controllers turn desired state into actual state', () => {
  let cp: ControlPlane;
  const { k, ok } = kubectlSession(() => cp.apiserver.kubeconfig);
  const rows = (...args: string[]) => table(ok(...args));
  /** Pods by label, as table rows ([] when kubectl says "No resources found"). */
  const pods = (selector: string) => table(k('get', 'pods', '-l', selector, '--no-headers').stdout).filter((r) => r[0]);

  beforeAll(async () => {
    cp = await startControlPlane({ replicas: 2, tolerationSeconds: 5 });
  });
  afterAll(async () => {
    await cp?.stop();
  });

  it('01: create deployment → a ReplicaSet named <deployment>-<pod-template-hash> and a pod <rs>-<5 chars> that becomes 1/1 Running', async () => {
    expect(ok('create', 'deployment', 'p4app', '--image=kurokobo/p4app:0.0.1', '--port', '8080')).toBe('deployment.apps/p4app created\n');
    await waitFor(() => rows('get', 'deployments')[1]?.[1] === '1/1', { timeoutMs: 20_000, what: 'p4app 1/1' });
    expect(rows('get', 'deployments')).toEqual([
      ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'],
      ['p4app', '1/1', '1', '1', expect.stringMatching(/^\d+s$/)],
    ]);
    const rs = rows('get', 'replicasets');
    expect(rs[0]).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']);
    expect(rs[1]!.slice(0, 4)).toEqual([expect.stringMatching(/^p4app-[bcdfghjklmnpqrstvwxz2456789]{8,10}$/), '1', '1', '1']);
    const pod = pods('app=p4app');
    expect(pod).toHaveLength(1);
    expect(pod[0]![0]).toMatch(new RegExp(`^${rs[1]![0]}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
    expect(pod[0]!.slice(1, 4)).toEqual(['1/1', 'Running', '0']);
    const all = ok('get', 'all');
    for (const line of [/^pod\/p4app-/m, /^service\/kubernetes\s/m, /^deployment\.apps\/p4app\s/m, /^replicaset\.apps\/p4app-/m]) expect(all).toMatch(line);
    expect(ok('get', 'replicasets,pods')).toMatch(/replicaset\.apps\/p4app-[\s\S]*pod\/p4app-/);
    const events = () => ok('get', 'events', '-o', 'custom-columns=REASON:.reason,OBJECT:.involvedObject.name,MESSAGE:.message', '--no-headers');
    // Events are written in the background, after what they tell of.
    await waitFor(() => events().includes('SuccessfulCreate'), { timeoutMs: 10_000, what: 'the SuccessfulCreate event' });
    expect(events()).toMatch(new RegExp(`ScalingReplicaSet\\s+p4app\\s+Scaled up replica set ${rs[1]![0]} from 0 to 1`));
    expect(events()).toMatch(new RegExp(`SuccessfulCreate\\s+${rs[1]![0]}\\s+Created pod: ${pod[0]![0]}`));
  });

  it('01: a LoadBalancer Service shows <pending>, then an EXTERNAL-IP from the pool; Endpoints list exactly the ready pods', async () => {
    expect(ok('expose', 'deployment', 'p4app', '--type=LoadBalancer', '--port', '80', '--target-port', '8080')).toBe('service/p4app exposed\n');
    await waitFor(() => /^127\.0\.200\.\d+$/.test(rows('get', 'service', 'p4app')[1]?.[3] ?? ''), { timeoutMs: 15_000, what: 'an EXTERNAL-IP' });
    expect(ok('scale', 'deployment', 'p4app', '--replicas=2')).toBe('deployment.apps/p4app scaled\n');
    await waitFor(() => rows('get', 'deployments', 'p4app')[1]?.[1] === '2/2', { timeoutMs: 20_000, what: 'p4app 2/2' });
    // 06, step 8: the controller says which generation of the spec it has acted on.
    const [generation, observed] = ok('get', 'deployment', 'p4app', '-o', 'jsonpath={.metadata.generation} {.status.observedGeneration}').split(' ');
    expect(Number(generation)).toBeGreaterThan(1);
    expect(observed).toBe(generation);
    const ips = ok('get', 'pods', '-l', 'app=p4app', '-o', 'jsonpath={.items[*].status.podIP}').split(' ').sort();
    await waitFor(() => (rows('get', 'endpoints', 'p4app')[1]?.[1] ?? '').split(',').length === 2, { timeoutMs: 15_000, what: 'two endpoints' });
    expect(rows('get', 'endpoints', 'p4app')[1]![1]!.split(',').sort()).toEqual(ips.map((ip) => `${ip}:8080`));
    const slices = rows('get', 'endpointslices', '-l', 'kubernetes.io/service-name=p4app');
    expect(slices[0]).toEqual(['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE']);
    expect(slices[1]!.slice(1, 3)).toEqual(['IPv4', '8080']);
  });

  it('06: deleting a pod of a Deployment brings a replacement with a new name', async () => {
    const before = pods('app=p4app').map((r) => r[0]!);
    ok('delete', 'pod', before[0]!);
    await waitFor(
      () => {
        const now = pods('app=p4app');
        return now.length === 2 && !now.some((r) => r[0] === before[0]) && now.every((r) => r[2] === 'Running');
      },
      { timeoutMs: 20_000, what: 'a replacement pod' },
    );
    await waitFor(() => rows('get', 'deployments', 'p4app')[1]?.[1] === '2/2', { timeoutMs: 10_000, what: 'p4app back to 2/2' });
  });

  it('02: set image rolls out to a new ReplicaSet (rollout status follows it); history lists revisions; undo brings the old template back', async () => {
    ok('create', 'deployment', 'web', '--image=nginx:1.25.2', '--replicas=3');
    await waitFor(() => rows('get', 'deployments', 'web')[1]?.[1] === '3/3', { timeoutMs: 20_000, what: 'web 3/3' });
    expect(ok('set', 'image', 'deployment/web', 'nginx=nginx:1.25.3')).toBe('deployment.apps/web image updated\n');
    const status = await kubectlAsync(cp.apiserver.kubeconfig, ['rollout', 'status', 'deployment/web', '--timeout=60s']);
    expect(status.stderr).toBe('');
    expect(status.stdout).toContain('deployment "web" successfully rolled out');
    const rs = rows('get', 'replicasets', '-l', 'app=web', '--sort-by=.metadata.creationTimestamp').slice(1);
    expect(rs).toHaveLength(2);
    expect(rs.map((r) => r.slice(1, 4))).toEqual([
      ['0', '0', '0'],
      ['3', '3', '3'],
    ]);
    const history = ok('rollout', 'history', 'deployment/web');
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    expect(ok('rollout', 'undo', 'deployment/web')).toBe('deployment.apps/web rolled back\n');
    const undone = await kubectlAsync(cp.apiserver.kubeconfig, ['rollout', 'status', 'deployment/web', '--timeout=60s']);
    expect(undone.stdout).toContain('successfully rolled out');
    expect(ok('get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}')).toBe('nginx:1.25.2');
    const after = rows('get', 'replicasets', '-l', 'app=web', '--sort-by=.metadata.creationTimestamp').slice(1);
    expect(after.map((r) => r.slice(1, 2))).toEqual([['3'], ['0']]);
    expect(ok('rollout', 'history', 'deployment/web')).toMatch(/\n2\s+<none>\n3\s+<none>/);
  });

  it('06: a new namespace gets a default ServiceAccount; deleting it deletes what is in it', async () => {
    ok('create', 'namespace', 'team-a');
    await waitFor(() => k('get', 'serviceaccount', 'default', '-n', 'team-a').status === 0, { timeoutMs: 15_000, what: 'the default ServiceAccount in team-a' });
    ok('create', 'deployment', 'inside', '--image=nginx', '-n', 'team-a');
    await waitFor(() => k('get', 'pods', '-n', 'team-a', '--no-headers').stdout.trim().split('\n').filter(Boolean).length === 1, { timeoutMs: 15_000, what: 'a pod in team-a' });
    expect(ok('delete', 'namespace', 'team-a')).toBe('namespace "team-a" deleted\n');
    await waitFor(() => k('get', 'namespace', 'team-a').status !== 0, { timeoutMs: 30_000, what: 'team-a to be gone' });
  });

  it('01: deleting the Deployment deletes its ReplicaSets and pods (garbage collection)', async () => {
    ok('delete', 'deployment', 'p4app', 'web');
    await waitFor(() => k('get', 'replicasets', '--no-headers').stdout.trim() === '' && pods('app in (p4app,web)').length === 0, { timeoutMs: 30_000, what: 'ReplicaSets and pods gone' });
    ok('delete', 'service', 'p4app');
  });

  it('06: a node whose kubelet stops becomes NotReady with the unreachable taints; its pods are replaced elsewhere after their toleration', async () => {
    ok('create', 'deployment', 'survivor', '--image=nginx', '--replicas=2');
    await waitFor(() => rows('get', 'deployments', 'survivor')[1]?.[1] === '2/2', { timeoutMs: 20_000, what: 'survivor 2/2' });
    const onWorker = () => rows('get', 'pods', '-l', 'app=survivor', '-o', 'custom-columns=NAME:.metadata.name,NODE:.spec.nodeName', '--no-headers').filter((r) => r[1] === 'kubelab-worker');
    const victims = onWorker().map((r) => r[0]);
    cp.nodes.silence('kubelab-worker');
    await waitFor(() => rows('get', 'nodes', 'kubelab-worker')[1]?.[1] === 'NotReady', { timeoutMs: 20_000, what: 'kubelab-worker NotReady' });
    expect(ok('get', 'node', 'kubelab-worker', '-o', 'jsonpath={.spec.taints[*].key}')).toContain('node.kubernetes.io/unreachable');
    if (victims.length > 0) {
      await waitFor(() => pods('app=survivor').filter((r) => !victims.includes(r[0]) && r[2] === 'Running').length === 2, { timeoutMs: 40_000, what: 'replacements running elsewhere' });
    }
    cp.nodes.resume('kubelab-worker');
    await waitFor(() => rows('get', 'nodes', 'kubelab-worker')[1]?.[1] === 'Ready', { timeoutMs: 20_000, what: 'kubelab-worker Ready again' });
    await waitFor(() => ok('get', 'node', 'kubelab-worker', '-o', 'jsonpath={.spec.taints}') === '', { timeoutMs: 15_000, what: 'the unreachable taints to go' });
  });

  it('kill the leading controller-manager and scheduler: the standbys take over within the lease duration and keep working', async () => {
    const holder = (lease: string) => ok('get', 'lease', lease, '-n', 'kube-system', '-o', 'jsonpath={.spec.holderIdentity}');
    for (const [lease, replicas] of [
      ['kube-controller-manager', cp.controllerManagers],
      ['kube-scheduler', cp.schedulers],
    ] as const) {
      const first = holder(lease);
      expect(first).not.toBe('');
      // Which process holds it: each logs its identity when it becomes leader.
      const leader = replicas.find((p) => p.log().includes(first))!;
      expect(leader).toBeDefined();
      await leader.stop('SIGKILL');
      await waitFor(() => holder(lease) !== first && holder(lease) !== '', { timeoutMs: 15_000, what: `another ${lease} to take the lease` });
    }
    ok('create', 'deployment', 'after-failover', '--image=nginx', '--replicas=2');
    await waitFor(() => rows('get', 'deployments', 'after-failover')[1]?.[1] === '2/2', { timeoutMs: 30_000, what: 'after-failover 2/2 with the standbys leading' });
  });
});
