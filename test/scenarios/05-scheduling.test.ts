import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Resources } from '@kubelab/client';
import { waitFor } from '@kubelab/component-base';
import { startControlPlane, type ControlPlane } from '@kubelab/testkit';
import { kubectlSession, scenarioManifest, table } from './scenario';

/**
 * Scenario 05 (selectors, affinity, spread, taints, priority) with the real kubectl, on a real
 * store, apiserver, scheduler and controller-manager, and three hollow nodes: a tainted
 * control-plane node and two workers in zones a and b.
 */
describe('scenario 05: scheduling', () => {
  let cp: ControlPlane;
  const { ok, apply } = kubectlSession(() => cp.apiserver.kubeconfig);
  /** name → node of every pod with the label. */
  const placement = (selector: string) => {
    const rows = table(ok('get', 'pods', '-l', selector, '-o', 'custom-columns=NAME:.metadata.name,NODE:.spec.nodeName,STATUS:.status.phase', '--no-headers')).filter((r) => r[0]);
    return rows.map(([name, node, phase]) => ({ name: name!, node: node!, phase: phase! }));
  };
  /** The message of a FailedScheduling event, exactly (kubectl prints one event per line). */
  const failedScheduling = (pod: string) => events(pod).split('\n').find((l) => l.startsWith('FailedScheduling'))?.replace(/^FailedScheduling\s+/, '').trimEnd();
  const events = (pod: string) => ok('get', 'events', '--field-selector', `involvedObject.name=${pod}`, '-o', 'custom-columns=REASON:.reason,MESSAGE:.message', '--no-headers');
  const pod = (name: string, spec: string, labels = '') =>
    `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  labels:\n    test: ${name}\n${labels}spec:\n${spec}  containers:\n  - name: c\n    image: nginx\n`;

  beforeAll(async () => {
    cp = await startControlPlane();
  });
  afterAll(async () => {
    await cp?.stop();
  });

  it('1. a nodeSelector nobody matches leaves the pod Pending with a FailedScheduling event that says why; labelling a node schedules it there', async () => {
    apply(pod('ssd-only', '  nodeSelector:\n    disktype: ssd\n'));
    await waitFor(() => events('ssd-only').includes('FailedScheduling'), { timeoutMs: 20_000, what: 'FailedScheduling for ssd-only' });
    expect(failedScheduling('ssd-only')).toBe(
      "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    );
    expect(placement('test=ssd-only')).toEqual([{ name: 'ssd-only', node: '<none>', phase: 'Pending' }]);
    const described = ok('describe', 'pod', 'ssd-only');
    expect(described).toMatch(/Warning\s+FailedScheduling\s+\S+\s+default-scheduler\s+0\/3 nodes are available/);
    ok('label', 'nodes', 'kubelab-worker2', 'disktype=ssd');
    await waitFor(() => placement('test=ssd-only')[0]?.node === 'kubelab-worker2', { timeoutMs: 15_000, what: 'ssd-only to be scheduled once a node is labelled' });
    await waitFor(() => /Scheduled\s+Successfully assigned default\/ssd-only to kubelab-worker2/.test(events('ssd-only')), { timeoutMs: 10_000, what: 'the Scheduled event' });
  });

  it('2. required node affinity works with In, NotIn, Exists, DoesNotExist, Gt and Lt; preferred affinity prefers but does not insist', async () => {
    ok('label', 'nodes', 'kubelab-worker', 'cores=8');
    ok('label', 'nodes', 'kubelab-worker2', 'cores=2');
    const required = (name: string, expr: string) =>
      pod(name, `  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n        nodeSelectorTerms:\n        - matchExpressions:\n          - ${expr}\n`);
    const cases: Array<[string, string, string]> = [
      ['aff-in', "{key: zone, operator: In, values: [b]}", 'kubelab-worker2'],
      ['aff-notin', "{key: zone, operator: NotIn, values: [b]}", 'kubelab-worker'],
      ['aff-exists', '{key: disktype, operator: Exists}', 'kubelab-worker2'],
      ['aff-doesnotexist', '{key: disktype, operator: DoesNotExist}', 'kubelab-worker'],
      ['aff-gt', "{key: cores, operator: Gt, values: ['4']}", 'kubelab-worker'],
      ['aff-lt', "{key: cores, operator: Lt, values: ['4']}", 'kubelab-worker2'],
    ];
    for (const [name, expr] of cases) apply(required(name, expr));
    apply(pod('aff-preferred-none', "  affinity:\n    nodeAffinity:\n      preferredDuringSchedulingIgnoredDuringExecution:\n      - weight: 50\n        preference:\n          matchExpressions:\n          - {key: zone, operator: In, values: [nowhere]}\n"));
    apply(pod('aff-preferred', "  affinity:\n    nodeAffinity:\n      preferredDuringSchedulingIgnoredDuringExecution:\n      - weight: 100\n        preference:\n          matchExpressions:\n          - {key: zone, operator: In, values: [a]}\n"));
    for (const [name, , node] of cases) {
      await waitFor(() => placement(`test=${name}`)[0]?.node === node, { timeoutMs: 15_000, what: `${name} on ${node}` });
    }
    await waitFor(() => placement('test=aff-preferred-none')[0]?.node.startsWith('kubelab-worker') ?? false, { timeoutMs: 15_000, what: 'the pod with an unmatchable preference to be scheduled anyway' });
    await waitFor(() => placement('test=aff-preferred')[0]?.node === 'kubelab-worker', { timeoutMs: 15_000, what: 'the preferred zone' });
  });

  it('3. required pod anti-affinity per hostname: 2 of 3 replicas run, one stays Pending with the message Kubernetes gives; scaling to 2 leaves none Pending', async () => {
    ok('apply', '-f', scenarioManifest('deployment-anti-affinity.yaml'));
    await waitFor(() => placement('app=hello-server').filter((p) => p.phase === 'Running').length === 2 && placement('app=hello-server').length === 3, {
      timeoutMs: 30_000,
      what: '2 hello-server pods running and 1 more',
    });
    const pods = placement('app=hello-server');
    expect(new Set(pods.filter((p) => p.phase === 'Running').map((p) => p.node))).toEqual(new Set(['kubelab-worker', 'kubelab-worker2']));
    const pending = pods.find((p) => p.phase === 'Pending')!;
    await waitFor(() => events(pending.name).includes('FailedScheduling'), { timeoutMs: 15_000, what: 'FailedScheduling of the third replica' });
    expect(failedScheduling(pending.name)).toBe(
      "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.",
    );
    const taints = table(ok('get', 'nodes', '-o', 'custom-columns=NAME:.metadata.name,TAINTS-KEY:.spec.taints[*].key'));
    expect(taints).toContainEqual(['kubelab-control-plane', 'node-role.kubernetes.io/control-plane']);
    expect(ok('scale', 'deployment', 'hello-server', '--replicas=2')).toBe('deployment.apps/hello-server scaled\n');
    await waitFor(() => placement('app=hello-server').length === 2 && placement('app=hello-server').every((p) => p.phase === 'Running'), { timeoutMs: 30_000, what: '2 running, none pending' });
    ok('delete', 'deployment', 'hello-server');
  });

  it('4. pod affinity follows another pod to its node; preferred anti-affinity spreads by weight', async () => {
    apply(pod('anchor', '  nodeSelector:\n    zone: b\n', '    role: anchor\n'));
    await waitFor(() => placement('test=anchor')[0]?.node === 'kubelab-worker2', { timeoutMs: 15_000, what: 'anchor on worker2' });
    apply(pod('follower', '  affinity:\n    podAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n      - labelSelector: {matchLabels: {role: anchor}}\n        topologyKey: zone\n'));
    await waitFor(() => placement('test=follower')[0]?.node === 'kubelab-worker2', { timeoutMs: 15_000, what: 'follower in the anchor zone' });
    apply(pod('avoider', '  affinity:\n    podAntiAffinity:\n      preferredDuringSchedulingIgnoredDuringExecution:\n      - weight: 100\n        podAffinityTerm:\n          labelSelector: {matchLabels: {role: anchor}}\n          topologyKey: kubernetes.io/hostname\n'));
    await waitFor(() => placement('test=avoider')[0]?.node === 'kubelab-worker', { timeoutMs: 15_000, what: 'avoider away from the anchor' });
  });

  it('5. topology spread with maxSkew 1 over zone keeps the counts per zone within 1', async () => {
    const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: spread
spec:
  replicas: 6
  selector:
    matchLabels: {app: spread}
  template:
    metadata:
      labels: {app: spread}
    spec:
      topologySpreadConstraints:
      - maxSkew: 1
        topologyKey: zone
        whenUnsatisfiable: DoNotSchedule
        labelSelector:
          matchLabels: {app: spread}
      containers:
      - name: c
        image: nginx
`;
    apply(deployment);
    await waitFor(() => placement('app=spread').filter((p) => p.node !== '<none>').length === 6, { timeoutMs: 30_000, what: '6 spread pods scheduled' });
    const perNode = new Map<string, number>();
    for (const p of placement('app=spread')) perNode.set(p.node, (perNode.get(p.node) ?? 0) + 1);
    expect(Object.fromEntries(perNode)).toEqual({ 'kubelab-worker': 3, 'kubelab-worker2': 3 });
    ok('delete', 'deployment', 'spread');
  });

  it('6. a NoSchedule taint keeps pods off unless tolerated; NoExecute evicts what does not tolerate it, after tolerationSeconds for what does; removing the taint works', async () => {
    ok('taint', 'nodes', 'kubelab-worker', 'disktype=ssd:NoSchedule');
    apply(pod('intolerant', '  nodeSelector:\n    zone: a\n'));
    await waitFor(() => events('intolerant').includes('FailedScheduling'), { timeoutMs: 15_000, what: 'intolerant to fail scheduling' });
    expect(events('intolerant')).toContain('1 node(s) had untolerated taint {disktype: ssd}');
    apply(pod('tolerant', '  nodeSelector:\n    zone: a\n  tolerations:\n  - {key: disktype, operator: Equal, value: ssd, effect: NoSchedule}\n'));
    await waitFor(() => placement('test=tolerant')[0]?.node === 'kubelab-worker', { timeoutMs: 15_000, what: 'the tolerant pod on the tainted node' });
    expect(ok('taint', 'nodes', 'kubelab-worker', 'disktype-')).toBe('node/kubelab-worker untainted\n');
    await waitFor(() => placement('test=intolerant')[0]?.node === 'kubelab-worker', { timeoutMs: 15_000, what: 'the intolerant pod to schedule once the taint is gone' });

    apply(pod('stays-a-while', '  nodeSelector:\n    zone: a\n  tolerations:\n  - {key: maintenance, operator: Exists, effect: NoExecute, tolerationSeconds: 3}\n'));
    await waitFor(() => placement('test=stays-a-while')[0]?.phase === 'Running', { timeoutMs: 15_000, what: 'stays-a-while running' });
    ok('taint', 'nodes', 'kubelab-worker', 'maintenance=now:NoExecute');
    await waitFor(() => placement('test=intolerant').length === 0, { timeoutMs: 15_000, what: 'the intolerant pod evicted' });
    expect(placement('test=stays-a-while')).toHaveLength(1);
    await waitFor(() => placement('test=stays-a-while').length === 0, { timeoutMs: 15_000, what: 'stays-a-while evicted after its tolerationSeconds' });
    ok('taint', 'nodes', 'kubelab-worker', 'maintenance-');
  });

  it('7. the system PriorityClasses exist; a high-priority pod that fits nowhere preempts lower-priority pods', async () => {
    const pcs = table(ok('get', 'priorityclasses'));
    expect(pcs).toContainEqual(expect.arrayContaining(['system-cluster-critical', '2000000000']));
    expect(pcs).toContainEqual(expect.arrayContaining(['system-node-critical', '2000001000']));
    expect(ok('describe', 'priorityclasses', 'system-node-critical')).toMatch(/Value:\s+2000001000/);
    apply(`apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n  name: high\nvalue: 1000\n`);
    // Fill both workers (4 cores each) with low-priority pods of 3 cores.
    for (const name of ['low-1', 'low-2']) apply(pod(name, '  containers:\n  - name: c\n    image: nginx\n    resources:\n      requests: {cpu: "3"}\n').replace(/  containers:\n  - name: c\n    image: nginx\n$/, ''));
    await waitFor(() => ['low-1', 'low-2'].every((n) => placement(`test=${n}`)[0]?.phase === 'Running'), { timeoutMs: 15_000, what: 'the low-priority pods running' });
    apply(pod('important', '  priorityClassName: high\n  containers:\n  - name: c\n    image: nginx\n    resources:\n      requests: {cpu: "3"}\n').replace(/  containers:\n  - name: c\n    image: nginx\n$/, ''));
    await waitFor(() => placement('test=important')[0]?.phase === 'Running', { timeoutMs: 30_000, what: 'the important pod to preempt and run' });
    expect(placement('test=low-1').length + placement('test=low-2').length).toBe(1);
    const victim = ['low-1', 'low-2'].find((n) => placement(`test=${n}`).length === 0)!;
    await waitFor(() => ok('get', 'events', '--field-selector', `involvedObject.name=${victim}`, '-o', 'custom-columns=REASON:.reason', '--no-headers').includes('Preempted'), { timeoutMs: 10_000, what: 'the Preempted event' });
    const important = await cp.client.get(Resources.pods, 'default', 'important');
    expect(important.spec?.priority).toBe(1000);
  });
});
