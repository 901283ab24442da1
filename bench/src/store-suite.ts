import { startEtcd, startKubelabStore, type ServerProcess } from '@kubelab/testkit';
import { EtcdBenchClient } from './etcd-client';
import { LatencyRecorder, runConcurrently } from './latency';
import { describeMachine } from './machine';
import { cpuSeconds, rssBytes } from './proc';
import { fixed, table, writeSection } from './report';

/**
 * `npm run bench -- store`: the same workload against the kubelab store and the real etcd 3.4,
 * in one run, with the same client (EtcdBenchClient): puts, single-key ranges, and watch delivery
 * latency, 64 requests in flight, 256-byte values. Both servers sync to disk before they answer a
 * write (etcd fsyncs its WAL; the store fsyncs each group commit).
 */
export interface StoreBenchOptions {
  operations: number;
  concurrency: number;
  valueBytes: number;
}

export const STORE_DEFAULTS: StoreBenchOptions = { operations: 20_000, concurrency: 64, valueBytes: 256 };

interface Phase {
  opsPerSecond: number;
  p50: number;
  p99: number;
  cpuPerThousand: number;
}

interface ServerResult {
  idleRssMb: number;
  put: Phase;
  range: Phase;
  watch: Phase;
}

export async function runStoreBench(options: StoreBenchOptions): Promise<string> {
  const results: Record<'etcd' | 'kubelab', ServerResult> = {} as never;
  for (const kind of ['etcd', 'kubelab'] as const) {
    const server = kind === 'etcd' ? await startEtcd() : await startKubelabStore();
    try {
      results[kind] = await measure(server, options);
    } finally {
      await server.stop();
    }
    console.log(`${kind}: ${JSON.stringify(results[kind])}`);
  }
  const markdown = render(results.kubelab, results.etcd, options);
  writeSection('store', markdown);
  return markdown;
}

async function measure(server: ServerProcess, options: StoreBenchOptions): Promise<ServerResult> {
  const pid = server.child.pid!;
  const idleRssMb = rssBytes(pid) / 2 ** 20;
  const client = new EtcdBenchClient(server.endpoint);
  const value = Buffer.alloc(options.valueBytes, 'v');
  const n = options.operations;
  try {
    // Warm up connections and both JITs outside the measured phases.
    await runConcurrently(Math.min(2_000, n), options.concurrency, (i) => client.put(`/warmup/${i}`, value).then(() => {}));

    const put = await phase(pid, n, options.concurrency, (i) => client.put(`/bench/put/${i}`, value));
    const range = await phase(pid, n, options.concurrency, (i) => client.get(`/bench/put/${(i * 7919) % n}`));

    const sent = new Map<string, number>();
    const delivered = new LatencyRecorder();
    let allDelivered!: () => void;
    const done = new Promise<void>((resolve) => (allDelivered = resolve));
    const watch = await client.watchPrefix('/bench/watch/', (key) => {
      const started = sent.get(key);
      if (started !== undefined) delivered.record(performance.now() - started);
      if (delivered.count === n) allDelivered();
    });
    const cpuBefore = cpuSeconds(pid);
    const seconds = await runConcurrently(n, options.concurrency, async (i) => {
      const key = `/bench/watch/${i}`;
      sent.set(key, performance.now());
      await client.put(key, value);
    });
    await withDeadline(done, 30_000, `all ${n} watch events`);
    watch.close();
    const watchPhase: Phase = {
      opsPerSecond: n / seconds,
      p50: delivered.percentile(0.5),
      p99: delivered.percentile(0.99),
      cpuPerThousand: ((cpuSeconds(pid) - cpuBefore) / n) * 1000,
    };
    return { idleRssMb, put, range, watch: watchPhase };
  } finally {
    client.close();
  }
}

async function phase(pid: number, n: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<Phase> {
  const latency = new LatencyRecorder();
  const cpuBefore = cpuSeconds(pid);
  const seconds = await runConcurrently(n, concurrency, async (i) => {
    const started = performance.now();
    await op(i);
    latency.record(performance.now() - started);
  });
  return { opsPerSecond: n / seconds, p50: latency.percentile(0.5), p99: latency.percentile(0.99), cpuPerThousand: ((cpuSeconds(pid) - cpuBefore) / n) * 1000 };
}

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)));
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function render(ours: ServerResult, etcd: ServerResult, options: StoreBenchOptions): string {
  const row = (what: string, pick: (r: ServerResult) => number, digits = 2): string[] => {
    const a = pick(ours);
    const b = pick(etcd);
    return [what, fixed(a, digits), fixed(b, digits), fixed(a / b, 2)];
  };
  const rows: string[][] = [];
  for (const [name, pick] of [
    ['put', (r: ServerResult) => r.put],
    ['range (one key)', (r: ServerResult) => r.range],
  ] as const) {
    rows.push(row(`${name}: ops/s`, (r) => pick(r).opsPerSecond, 0));
    rows.push(row(`${name}: p50 latency (ms)`, (r) => pick(r).p50));
    rows.push(row(`${name}: p99 latency (ms)`, (r) => pick(r).p99));
    rows.push(row(`${name}: server CPU s / 1,000 ops`, (r) => pick(r).cpuPerThousand, 3));
  }
  rows.push(row('watch: puts/s while watched', (r) => r.watch.opsPerSecond, 0));
  rows.push(row('watch: delivery p50 (ms, put sent → event received)', (r) => r.watch.p50));
  rows.push(row('watch: delivery p99 (ms)', (r) => r.watch.p99));
  rows.push(row('watch: server CPU s / 1,000 events', (r) => r.watch.cpuPerThousand, 3));
  rows.push(row('idle RSS after start (MB)', (r) => r.idleRssMb, 1));

  const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');
  const goals = [
    `- Put throughput ≥ etcd's: ${fixed(ours.put.opsPerSecond / etcd.put.opsPerSecond)}× — ${verdict(ours.put.opsPerSecond >= etcd.put.opsPerSecond)}`,
    `- Range throughput ≥ etcd's: ${fixed(ours.range.opsPerSecond / etcd.range.opsPerSecond)}× — ${verdict(ours.range.opsPerSecond >= etcd.range.opsPerSecond)}`,
    `- Server CPU per put ≤ 0.7× etcd's: ${fixed(ours.put.cpuPerThousand / etcd.put.cpuPerThousand)}× — ${verdict(ours.put.cpuPerThousand <= 0.7 * etcd.put.cpuPerThousand)}`,
    `- Server CPU per range ≤ 0.7× etcd's: ${fixed(ours.range.cpuPerThousand / etcd.range.cpuPerThousand)}× — ${verdict(ours.range.cpuPerThousand <= 0.7 * etcd.range.cpuPerThousand)}`,
    `- Watch delivery p99 no worse than etcd's: ${fixed(ours.watch.p99)} ms vs ${fixed(etcd.watch.p99)} ms — ${verdict(ours.watch.p99 <= etcd.watch.p99)}`,
    `- Idle store RSS < 80 MB: ${fixed(ours.idleRssMb, 1)} MB — ${verdict(ours.idleRssMb < 80)}`,
  ];
  return [
    '## store: the kubelab store beside etcd 3.4',
    '',
    `Command: \`npm run bench -- store\` (${options.operations.toLocaleString('en')} operations per phase, ${options.concurrency} in flight, ${options.valueBytes}-byte values, after a 2,000-put warm-up).`,
    `Machine: ${describeMachine()}. Run on ${new Date().toISOString().slice(0, 10)}.`,
    '',
    'Both servers are single members on loopback and sync to disk before acknowledging a write. One',
    'client (grpc-js on the etcd v3 proto, one HTTP/2 connection) drives both, in the same process,',
    'so the client costs the same for each. CPU is the server process\'s user + system time from',
    '`/proc/<pid>/stat` over the phase.',
    '',
    table(['measure', 'kubelab store', 'etcd 3.4', 'kubelab / etcd'], rows),
    '',
    'Goals of issue 2:',
    '',
    ...goals,
  ].join('\n');
}
