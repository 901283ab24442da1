import { setTimeout as sleep } from 'node:timers/promises';
import { ObjectsClient, Resources } from '@kubelab/client';
import { startKubelabApiserver, startKubelabComponent, startKubelabStore, type ApiserverProcess, type ServerProcess } from '@kubelab/testkit';
import { withDeadline } from './deadline';
import { LatencyRecorder } from './latency';
import { describeMachine } from './machine';
import { cpuSeconds } from './proc';
import { fixed, table, writeSection } from './report';
import { BindingWatch } from './scheduler-bindings';
import { ANTI_AFFINITY_AND_SPREAD, SCHEDULING_BASIC, simulatedNode, type Workload } from './scheduler-workloads';

/**
 * `npm run bench -- scheduler`: one `kubelab scheduler` (no leader election) on the kubelab store
 * and apiserver, with simulated nodes registered through the object API and nothing behind them.
 * Each workload runs on a fresh cluster, as scheduler_perf's do: a backlog of pods is created, the
 * scheduler started, and a watch on pods times each binding; then pods one at a time for latency.
 */
export interface SchedulerBenchOptions {
  nodes: number;
  pods: number;
}

export const SCHEDULER_DEFAULTS: SchedulerBenchOptions = { nodes: 1_000, pods: 3_000 };

/** Creates in flight from the bench. */
const CREATORS = 16;
/** Pods created one at a time, after the backlog, for the create → bound latency. */
const LATENCY_PODS = 200;

interface WorkloadResult {
  workload: Workload;
  podsPerSecond: number;
  createsPerSecond: number;
  latency: LatencyRecorder;
  bound: number;
  attempts: { scheduled: number; unschedulable: number; error: number };
  violations: number;
  schedulerCpuMs: number;
  apiserverCpuMs: number;
}

export async function runSchedulerBench(options: SchedulerBenchOptions, out: string): Promise<string> {
  const results: WorkloadResult[] = [];
  for (const workload of [SCHEDULING_BASIC, ANTI_AFFINITY_AND_SPREAD]) results.push(await runWorkload(workload, options));
  const [basic, spread] = results as [WorkloadResult, WorkloadResult];
  const both = (f: (r: WorkloadResult) => string) => [f(basic), f(spread)];
  const goal = (r: WorkloadResult) => `≥ ${r.workload.goal}: ${r.podsPerSecond >= r.workload.goal ? 'met' : '**not met**'}`;
  const latencyPods = latencyPodCount(options);
  const rows = [
    ['pods bound per second, first → last binding', ...both((r) => fixed(r.podsPerSecond, 0))],
    ['goal of issue 4 (pods/s)', ...both(goal)],
    ["Kubernetes' scheduler_perf floor (pods/s)", ...both((r) => `${r.workload.floor} (${r.workload.floorWorkload})`)],
    ['scheduler CPU ms / pod', ...both((r) => fixed(r.schedulerCpuMs))],
    ['what one core of its own would allow: 1,000 / scheduler CPU ms per pod (pods/s)', ...both((r) => fixed(1000 / r.schedulerCpuMs, 0))],
    ['apiserver CPU ms / pod (binding, event, watches)', ...both((r) => fixed(r.apiserverCpuMs))],
    ['scheduling attempts: scheduled / unschedulable / error', ...both((r) => `${r.attempts.scheduled} / ${r.attempts.unschedulable} / ${r.attempts.error}`)],
    [`create → bound latency p50 / p99 (ms), ${latencyPods} pods one at a time`, ...both((r) => `${fixed(r.latency.percentile(0.5), 1)} / ${fixed(r.latency.percentile(0.99), 1)}`)],
    [`pod creates per second before the scheduler starts (${CREATORS} in flight)`, ...both((r) => fixed(r.createsPerSecond, 0))],
    ['pods bound', ...both((r) => `${r.bound} / ${options.pods + latencyPods}`)],
    ['pods placed against their own constraints', ...both((r) => String(r.violations))],
  ];
  const command = `npm run bench -- scheduler${options.nodes === SCHEDULER_DEFAULTS.nodes && options.pods === SCHEDULER_DEFAULTS.pods ? '' : ` --nodes ${options.nodes} --pods ${options.pods}`}`;
  const markdown = [
    '## scheduler: scheduling throughput on simulated nodes',
    '',
    `Command: \`${command}\`. Machine: ${describeMachine()}. Run on ${new Date().toISOString().slice(0, 10)}.`,
    '',
    '- One `kubelab scheduler` (`--leader-elect false`) on the kubelab store and apiserver, all real processes on this',
    `  machine. ${options.nodes.toLocaleString('en')} nodes registered through the apiserver's gRPC object API (Ready; allocatable 32 cpu,`,
    '  64Gi memory, 110 pods; labels `kubernetes.io/hostname` and `topology.kubernetes.io/zone` over 3 zones), with',
    '  no process behind them. Each workload runs on a fresh cluster.',
    `- Throughput: ${options.pods.toLocaleString('en')} pods are created through the object API (${CREATORS} in flight), then the scheduler is`,
    '  started and places the backlog; a watch on pods timestamps each binding (spec.nodeName set), and the rate counts',
    "  bindings from the first to the last. Creating the pods first keeps the bench's own creates (which this 2-core",
    "  machine cannot issue at 500/s beside the scheduler) out of the scheduler's figure. CPU is the user + system time",
    '  of the scheduler and apiserver processes over the same span (from the scheduler\'s "caches synced" to the last',
    '  binding), from `/proc/<pid>/stat`, divided by the pods; attempts are the scheduler\'s own',
    '  `scheduler_schedule_attempts_total`.',
    `- Latency: then ${latencyPods} more pods of the same workload, created one at a time, each once the previous one is bound;`,
    '  from sending the create to the watch seeing the binding.',
    "- Pods request 100m cpu and 500Mi memory (scheduler_perf's pod-default). SchedulingBasic: nothing else. Anti-affinity",
    "  + spread: pods come in groups of 10 (a Deployment's replicas); every pod has a *required* pod anti-affinity",
    '  against its group on `kubernetes.io/hostname` and a topology spread constraint on its group (maxSkew 1,',
    '  `topology.kubernetes.io/zone`, DoNotSchedule). The bench checks every placement against both.',
    '',
    table(['measure', SCHEDULING_BASIC.title, ANTI_AFFINITY_AND_SPREAD.title], rows),
  ].join('\n');
  writeSection(out, 'scheduler', markdown);
  return markdown;
}

/** Pods created one at a time for the latency figure, after the backlog. */
function latencyPodCount(options: SchedulerBenchOptions): number {
  return Math.min(LATENCY_PODS, options.pods);
}

/** A fresh store, apiserver and nodes; the backlog, then the scheduler; the latency pods; everything stopped after. */
async function runWorkload(workload: Workload, options: SchedulerBenchOptions): Promise<WorkloadResult> {
  const store = await startKubelabStore();
  let apiserver: ApiserverProcess | undefined;
  let scheduler: ServerProcess | undefined;
  let client: ObjectsClient | undefined;
  let bindings: BindingWatch | undefined;
  try {
    apiserver = await startKubelabApiserver(store.endpoint);
    const objects = (client = new ObjectsClient(apiserver.grpcEndpoint));
    const zones = await registerNodes(objects, options.nodes);
    bindings = await BindingWatch.open(objects, `bench=${workload.label}`, zones);

    const createsStarted = performance.now();
    await inParallel(options.pods, async (i) => void (await objects.create(Resources.pods, workload.pod(i, options.nodes))));
    const createsPerSecond = options.pods / ((performance.now() - createsStarted) / 1000);

    scheduler = await startKubelabComponent('scheduler', apiserver, ['--leader-elect', 'false']);
    const synced = await withDeadline(logLine(scheduler, 'caches synced'), 60_000, 'the scheduler to sync its caches');
    if (!synced.includes(`"nodes":${options.nodes}`)) throw new Error(`the scheduler synced without all ${options.nodes} nodes: ${synced}`);
    const [schedulerPid, apiserverPid] = [scheduler.child.pid!, apiserver.child.pid!];
    const cpu = () => ({ scheduler: cpuSeconds(schedulerPid), apiserver: cpuSeconds(apiserverPid) });
    const before = cpu();
    await withDeadline(bindings.untilBound(options.pods), Math.max(60_000, options.pods * 100), `all ${options.pods} pods to be bound`);
    const after = cpu();
    const times = [...bindings.boundAt.values()];
    const podsPerSecond = (times.length - 1) / ((Math.max(...times) - Math.min(...times)) / 1000);

    const latency = new LatencyRecorder();
    for (let i = options.pods; i < options.pods + latencyPodCount(options); i++) {
      const pod = workload.pod(i, options.nodes);
      const sent = performance.now();
      await objects.create(Resources.pods, pod);
      await withDeadline(bindings.untilPodBound(pod.metadata.name!), 30_000, `pod ${pod.metadata.name} to be bound`);
      latency.record(bindings.boundAt.get(pod.metadata.name!)! - sent);
    }

    return {
      workload,
      podsPerSecond,
      createsPerSecond,
      latency,
      bound: bindings.bound,
      attempts: await scheduleAttempts(scheduler, bindings.bound),
      violations: workload.violations(bindings.placements),
      schedulerCpuMs: ((after.scheduler - before.scheduler) / options.pods) * 1000,
      apiserverCpuMs: ((after.apiserver - before.apiserver) / options.pods) * 1000,
    };
  } finally {
    bindings?.stop();
    client?.close();
    await scheduler?.stop();
    await apiserver?.stop();
    await store.stop();
  }
}

/** Registers the nodes, CREATORS at a time; returns each node's zone. */
async function registerNodes(client: ObjectsClient, count: number): Promise<Map<string, string>> {
  const zones = new Map<string, string>();
  await inParallel(count, async (i) => {
    const node = await client.create(Resources.nodes, simulatedNode(i));
    zones.set(node.metadata.name!, node.metadata.labels!['topology.kubernetes.io/zone']!);
  });
  return zones;
}

/**
 * scheduler_schedule_attempts_total by result, from the scheduler's /metrics, once it counts the
 * `bound` pods: it counts a binding when the apiserver's answer is back, which can be after the
 * bench's watch has seen it.
 */
async function scheduleAttempts(scheduler: ServerProcess, bound: number): Promise<WorkloadResult['attempts']> {
  for (let tries = 0; ; tries++) {
    const text = await (await fetch(`http://${scheduler.endpoint}/metrics`)).text();
    const count = (result: string) => Number(new RegExp(`^scheduler_schedule_attempts_total\\{[^}]*result="${result}"[^}]*\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
    const attempts = { scheduled: count('scheduled'), unschedulable: count('unschedulable'), error: count('error') };
    if (attempts.scheduled >= bound || tries === 50) return attempts;
    await sleep(100);
  }
}

/** Runs `task(0..count-1)` with CREATORS calls in flight. */
async function inParallel(count: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(CREATORS, count) }, worker));
}

/** The first line of a process's output that contains `text`, now or once it is written. */
function logLine(server: ServerProcess, text: string): Promise<string> {
  const find = () => server.log().split('\n').find((line) => line.includes(text));
  return new Promise((resolve, reject) => {
    const onData = () => {
      const line = find();
      if (!line) return;
      server.child.stdout!.off('data', onData);
      resolve(line);
    };
    server.child.stdout!.on('data', onData);
    server.child.once('exit', (code) => reject(new Error(`the scheduler exited with ${code}: ${server.log()}`)));
    onData();
  });
}
