import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectsClient, Resources, type KubeObject } from '@kubelab/client';
import { createLogger, waitFor } from '@kubelab/component-base';
import { parseSchedulerFlags, startScheduler, type RunningScheduler } from '@kubelab/scheduler';
import { kubectl, startKubelabApiserver, startKubelabStore, type ApiserverProcess, type ServerProcess } from '@kubelab/testkit';

/**
 * The scheduler against real processes (store, apiserver), driven and checked with the real
 * kubectl, on the lab's shape: a tainted control-plane node and two workers with simulated
 * capacity. Pods go to the workers with a Scheduled event; a pod whose nodeSelector no node
 * matches stays Pending with Kubernetes' FailedScheduling text, and is scheduled as soon as a
 * worker gets the label (an event, not a timer, sends it back to the queue).
 */
const NS = 'scheduling-e2e';

const nodeObject = (name: string, extra: { labels?: Record<string, string>; taints?: unknown[] } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', ...extra.labels } },
  spec: extra.taints ? { taints: extra.taints } : {},
  status: {
    capacity: { cpu: '2', memory: '4Gi', pods: '110' },
    allocatable: { cpu: '2', memory: '4Gi', pods: '110' },
    conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
  },
});

const podYaml = (name: string, spec = '') =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: ${NS}\nspec:\n${spec}  containers:\n  - name: c\n    image: nginx:1.27\n    resources:\n      requests:\n        cpu: 100m\n        memory: 128Mi\n`;

describe('kube-scheduler against the real apiserver', () => {
  let store: ServerProcess;
  let apiserver: ApiserverProcess;
  let client: ObjectsClient;
  let scheduler: RunningScheduler;
  const ok = (args: string[], input?: string) => {
    const r = kubectl(apiserver.kubeconfig, args, { input });
    expect(r.stderr, `kubectl ${args.join(' ')}`).toBe('');
    return r.stdout;
  };
  const nodeOf = (pod: string) => ok(['get', 'pod', pod, '-n', NS, '-o', 'jsonpath={.spec.nodeName}']);
  const eventMessages = (reason: string, pod: string) =>
    ok(['get', 'events', '-n', NS, '--field-selector', `reason=${reason},involvedObject.name=${pod}`, '-o', 'jsonpath={range .items[*]}{.source.component}|{.type}|{.message}{"\\n"}{end}'])
      .split('\n')
      .filter(Boolean);

  beforeAll(async () => {
    store = await startKubelabStore();
    apiserver = await startKubelabApiserver(store.endpoint);
    client = new ObjectsClient(apiserver.grpcEndpoint);
    ok(['create', 'namespace', NS]);
    for (const node of [
      nodeObject('control-plane', { labels: { 'node-role.kubernetes.io/control-plane': '' }, taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }),
      nodeObject('worker'),
      nodeObject('worker2'),
    ]) {
      await client.create(Resources.nodes, node);
    }
    // The lab's fast profile: short, yet long enough that a loaded machine does not lose the Lease.
    const config = parseSchedulerFlags(['--master', apiserver.grpcEndpoint, '--port', '0', '--leader-elect-lease-duration', '4s', '--leader-elect-renew-deadline', '3s', '--leader-elect-retry-period', '1s']);
    scheduler = await startScheduler(config, createLogger('scheduler', 'warn'));
  });
  afterAll(async () => {
    await scheduler?.close();
    client?.close();
    await apiserver?.stop();
    await store?.stop();
  });

  it('leads through the kube-scheduler Lease in kube-system, and serves /healthz', async () => {
    await waitFor(() => scheduler.isLeader(), { what: 'the scheduler to lead' });
    expect(ok(['get', 'lease', 'kube-scheduler', '-n', 'kube-system', '-o', 'jsonpath={.spec.holderIdentity}'])).toBe(scheduler.identity);
    expect(await (await fetch(`${scheduler.healthUrl}/healthz`)).text()).toBe('ok');
  });

  it('binds pods to the workers, never to the tainted control plane, each with a Scheduled event', async () => {
    const names = ['web-1', 'web-2', 'web-3', 'web-4'];
    ok(['apply', '-f', '-'], names.map((n) => podYaml(n)).join('---\n'));
    // One kubectl per poll: kubectl runs synchronously and the scheduler shares this process.
    const nodesOfPods = () => {
      const byPod = new Map(ok(['get', 'pods', '-n', NS, '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.nodeName}{"\\n"}{end}']).split('\n').map((line) => line.split('=') as [string, string]));
      return names.map((n) => byPod.get(n) ?? '');
    };
    const placement = await waitFor(
      () => {
        const nodes = nodesOfPods();
        return nodes.every((n) => n !== '') && nodes;
      },
      { what: 'the four pods bound', timeoutMs: 20_000 },
    );
    // LeastAllocated spreads them: two on each worker.
    expect(placement.filter((n) => n === 'worker').length).toBe(2);
    expect(placement.filter((n) => n === 'worker2').length).toBe(2);
    const want = names.map((name, i) => `${name} default-scheduler|Normal|Successfully assigned ${NS}/${name} to ${placement[i]}`);
    const scheduled = () =>
      ok(['get', 'events', '-n', NS, '--field-selector', 'reason=Scheduled', '-o', 'jsonpath={range .items[*]}{.involvedObject.name} {.source.component}|{.type}|{.message}{"\\n"}{end}'])
        .split('\n')
        .filter((line) => names.includes(line.split(' ')[0]!))
        .sort();
    await waitFor(() => scheduled().length === names.length, { what: 'the Scheduled events', timeoutMs: 20_000 });
    expect(scheduled()).toEqual(want);
    expect(ok(['get', 'pod', 'web-1', '-n', NS, '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].status}'])).toBe('True');
  });

  it('a pod no node matches stays Pending with FailedScheduling worded as Kubernetes words it, and is scheduled once a worker is labelled', async () => {
    ok(['apply', '-f', '-'], podYaml('ssd', '  nodeSelector:\n    disktype: ssd\n'));
    // Kubernetes ends this message with "..": the preemption tail is itself a sentence ending in ".".
    const message =
      "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
    await waitFor(() => eventMessages('FailedScheduling', 'ssd').length > 0, { what: 'FailedScheduling', timeoutMs: 20_000 });
    expect(eventMessages('FailedScheduling', 'ssd')).toEqual([`default-scheduler|Warning|${message}`]);
    await waitFor(() => ok(['get', 'pod', 'ssd', '-n', NS, '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].reason}']) === 'Unschedulable', { what: 'PodScheduled=False' });
    expect(ok(['get', 'pod', 'ssd', '-n', NS, '-o', 'jsonpath={.status.phase} {.status.conditions[?(@.type=="PodScheduled")].status} {.status.conditions[?(@.type=="PodScheduled")].message}'])).toBe(`Pending False ${message}`);
    expect(ok(['describe', 'pod', 'ssd', '-n', NS])).toMatch(/Warning\s+FailedScheduling\s+.*default-scheduler\s+0\/3 nodes are available: 1 node\(s\) had untolerated taint/);
    expect(nodeOf('ssd')).toBe('');

    // No timer would retry it for 5 minutes: the label event does, within the 1 s back-off.
    ok(['label', 'node', 'worker2', 'disktype=ssd']);
    await waitFor(() => nodeOf('ssd') === 'worker2', { what: 'ssd bound to worker2 after the label', timeoutMs: 5_000 });
    // The event is written after the binding, in the background.
    await waitFor(() => eventMessages('Scheduled', 'ssd').length > 0, { what: 'the Scheduled event of ssd' });
    expect(eventMessages('Scheduled', 'ssd')).toEqual([`default-scheduler|Normal|Successfully assigned ${NS}/ssd to worker2`]);
  });

  it('leaves alone a pod for another scheduler', async () => {
    ok(['apply', '-f', '-'], podYaml('other', '  schedulerName: my-scheduler\n'));
    ok(['apply', '-f', '-'], podYaml('after-other'));
    // The pod created after it went through the queue: the other one had its turn and was not ours.
    await waitFor(() => nodeOf('after-other') !== '', { what: 'after-other bound' });
    expect({ node: nodeOf('other'), events: ok(['get', 'events', '-n', NS, '--field-selector', 'involvedObject.name=other', '-o', 'name']) }).toEqual({ node: '', events: '' });
  });

  it('counts its attempts in /metrics', async () => {
    const metrics = await (await fetch(`${scheduler.healthUrl}/metrics`)).text();
    expect(metrics).toMatch(/scheduler_schedule_attempts_total\{result="scheduled",profile="default-scheduler"\} 6/);
    expect(metrics).toMatch(/scheduler_schedule_attempts_total\{result="unschedulable",profile="default-scheduler"\} 1/);
    expect(metrics).toMatch(/scheduler_pending_pods\{queue="unschedulable"\} 0/);
  });
});
