import { startEtcd, startKubelabStore, type ServerProcess } from '@kubelab/testkit';
import { withDeadline } from './deadline';
import { EtcdBenchClient } from './etcd-client';
import { measureFloors, type FloorResult } from './floor';
import { h2load, h2loadAvailable } from './h2load';
import { LatencyRecorder } from './latency';
import { describeMachine } from './machine';
import { cpuSeconds, rssBytes } from './proc';
import { lengthDelimited, message } from './protowire';
import { fixed, table, writeSection } from './report';

/**
 * `npm run bench -- store`: the same workload against the kubelab store and the real etcd 3.4 in
 * one run, with the same clients. Both servers sync to disk before they answer a write (etcd
 * fsyncs its WAL; the store fsyncs each group commit).
 *
 * - put and range: h2load sends unary Put / Range calls, 64 in flight, 256-byte values;
 * - watch: one watcher on a prefix while puts arrive at a steady rate; delivery latency is from
 *   sending a put to receiving its event, in one Node.js process (one clock).
 */
export interface StoreBenchOptions {
  operations: number;
  concurrency: number;
  valueBytes: number;
  /** Puts per second while watched. */
  watchRate: number;
  /** How long the watch phase is measured, after a 2 s warm-up. */
  watchSeconds: number;
}

export const STORE_DEFAULTS: StoreBenchOptions = { operations: 40_000, concurrency: 64, valueBytes: 256, watchRate: 2_000, watchSeconds: 10 };

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

const PUT_KEY = Buffer.from('/bench/put/key');

export async function runStoreBench(options: StoreBenchOptions, out: string): Promise<string> {
  if (!h2loadAvailable()) throw new Error('h2load is missing: it comes with Debian\'s nghttp2-client (scripts/setup.sh installs it)');
  const results = {} as Record<'etcd' | 'kubelab', ServerResult>;
  for (const kind of ['etcd', 'kubelab'] as const) {
    const server = kind === 'etcd' ? await startEtcd() : await startKubelabStore();
    try {
      results[kind] = await measure(server, options);
    } finally {
      await server.stop();
    }
    console.log(`${kind}: ${JSON.stringify(results[kind])}`);
  }
  const putRequest = message(lengthDelimited(1, PUT_KEY), lengthDelimited(2, Buffer.alloc(options.valueBytes, 'v')));
  const floors = await measureFloors(putRequest, options.operations, options.concurrency);
  const markdown = render(results.kubelab, results.etcd, floors, options);
  writeSection(out, 'store', markdown);
  return markdown;
}

async function measure(server: ServerProcess, options: StoreBenchOptions): Promise<ServerResult> {
  const pid = server.child.pid!;
  const idleRssMb = rssBytes(pid) / 2 ** 20;
  const value = Buffer.alloc(options.valueBytes, 'v');
  const putRequest = message(lengthDelimited(1, PUT_KEY), lengthDelimited(2, value));
  const rangeRequest = message(lengthDelimited(1, PUT_KEY));
  const client = new EtcdBenchClient(server.endpoint);
  try {
    // Warm up the connection handling and the JIT outside the measured phases.
    h2load(server.endpoint, '/etcdserverpb.KV/Put', putRequest, 5_000, options.concurrency);
    const put = throughputPhase(pid, server.endpoint, '/etcdserverpb.KV/Put', putRequest, options);
    // h2load sees HTTP statuses, not gRPC ones: the key's version proves every put went through.
    const version = await client.version(PUT_KEY.toString());
    if (version !== 5_000 + options.operations) throw new Error(`${server.kind}: expected version ${5_000 + options.operations} after the puts, found ${version}`);
    const range = throughputPhase(pid, server.endpoint, '/etcdserverpb.KV/Range', rangeRequest, options);
    const watch = await watchPhase(pid, client, value, options);
    return { idleRssMb, put, range, watch };
  } finally {
    client.close();
  }
}

function throughputPhase(pid: number, endpoint: string, method: string, request: Buffer, options: StoreBenchOptions): Phase {
  const cpuBefore = cpuSeconds(pid);
  const result = h2load(endpoint, method, request, options.operations, options.concurrency);
  if (result.succeeded !== options.operations) throw new Error(`${method}: ${options.operations - result.succeeded} requests failed`);
  return {
    opsPerSecond: options.operations / result.seconds,
    p50: result.latency.percentile(0.5),
    p99: result.latency.percentile(0.99),
    cpuPerThousand: ((cpuSeconds(pid) - cpuBefore) / options.operations) * 1000,
  };
}

/** Puts at a steady rate (open loop: a slow answer does not slow the sender) to a watched prefix. */
async function watchPhase(pid: number, client: EtcdBenchClient, value: Buffer, options: StoreBenchOptions): Promise<Phase> {
  // The first two seconds warm the watch path up (both servers start it cold) and are not counted.
  const warmup = options.watchRate * 2;
  const total = warmup + options.watchRate * options.watchSeconds;
  const sent = new Map<string, number>();
  const delivered = new LatencyRecorder();
  let received = 0;
  let allDelivered!: () => void;
  const done = new Promise<void>((resolve) => (allDelivered = resolve));
  let cpuBefore = 0;
  const watch = await client.watchPrefix('/bench/watch/', (key) => {
    const started = sent.get(key);
    if (started !== undefined) delivered.record(performance.now() - started);
    if (++received === total) allDelivered();
  });
  const started = performance.now();
  let next = 0;
  const writes: Promise<void>[] = [];
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * options.watchRate));
      for (; next < due; next++) {
        const key = `/bench/watch/${next}`;
        if (next === warmup) cpuBefore = cpuSeconds(pid);
        if (next >= warmup) sent.set(key, performance.now());
        writes.push(client.put(key, value));
      }
      if (next === total) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  await Promise.all(writes);
  await withDeadline(done, 30_000, `all ${total} watch events`);
  const seconds = (performance.now() - started) / 1000;
  watch.close();
  return {
    opsPerSecond: total / seconds,
    p50: delivered.percentile(0.5),
    p99: delivered.percentile(0.99),
    cpuPerThousand: ((cpuSeconds(pid) - cpuBefore) / delivered.count) * 1000,
  };
}

function render(ours: ServerResult, etcd: ServerResult, floors: FloorResult[], options: StoreBenchOptions): string {
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
  rows.push(row(`watch: delivery p50 (ms) at ${options.watchRate.toLocaleString('en')} puts/s`, (r) => r.watch.p50));
  rows.push(row('watch: delivery p99 (ms)', (r) => r.watch.p99));
  rows.push(row('watch: server CPU s / 1,000 watched puts', (r) => r.watch.cpuPerThousand, 3));
  rows.push(row('idle RSS after start (MB)', (r) => r.idleRssMb, 1));

  const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');
  const ratio = (a: number, b: number) => `${fixed(a / b)}×`;
  const goals = [
    `- Throughput ≥ etcd's: put ${ratio(ours.put.opsPerSecond, etcd.put.opsPerSecond)} — ${verdict(ours.put.opsPerSecond >= etcd.put.opsPerSecond)}; range ${ratio(ours.range.opsPerSecond, etcd.range.opsPerSecond)} — ${verdict(ours.range.opsPerSecond >= etcd.range.opsPerSecond)}`,
    `- Server CPU per operation ≤ 0.7× etcd's: put ${ratio(ours.put.cpuPerThousand, etcd.put.cpuPerThousand)} — ${verdict(ours.put.cpuPerThousand <= 0.7 * etcd.put.cpuPerThousand)}; range ${ratio(ours.range.cpuPerThousand, etcd.range.cpuPerThousand)} — ${verdict(ours.range.cpuPerThousand <= 0.7 * etcd.range.cpuPerThousand)}`,
    `- Watch delivery p99 no worse than etcd's: ${fixed(ours.watch.p99)} ms vs ${fixed(etcd.watch.p99)} ms — ${verdict(ours.watch.p99 <= etcd.watch.p99)}`,
    `- Idle store RSS < 80 MB: ${fixed(ours.idleRssMb, 1)} MB — ${verdict(ours.idleRssMb < 80)}`,
  ];
  return [
    '## store: the kubelab store beside etcd 3.4',
    '',
    `Command: \`npm run bench -- store\`. Machine: ${describeMachine()}. Run on ${new Date().toISOString().slice(0, 10)}.`,
    '',
    `- put, range: h2load (nghttp2's load generator, in C) sends ${options.operations.toLocaleString('en')} unary calls, ${options.concurrency} in flight on one`,
    `  HTTP/2 connection, after 5,000 warm-up puts; ${options.valueBytes}-byte values, all to one key (so both servers do the same work).`,
    `- watch: one watcher on a prefix while a Node.js client puts ${options.watchRate.toLocaleString('en')} keys a second (open loop) for ${2 + options.watchSeconds} s; latency`,
    `  runs from sending the put to receiving its event, over the last ${options.watchSeconds} s (the first 2 s warm the watch path up).`,
    '- Both servers are single members on loopback and sync to disk before acknowledging a write. CPU is the',
    "  server process's user + system time over the phase, from `/proc/<pid>/stat` (all its threads).",
    '',
    table(['measure', 'kubelab store', 'etcd 3.4', 'kubelab / etcd'], rows),
    '',
    'Goals of issue 2:',
    '',
    ...goals,
    '',
    'The floor under any Node.js server: the same put load on servers that answer every call at once',
    'with an empty message and store nothing.',
    '',
    table(
      ['server', 'ops/s', 'CPU s / 1,000 calls', 'share of etcd\'s CPU per put'],
      floors.map((f) => [f.server, fixed(f.opsPerSecond, 0), fixed(f.cpuPerThousand, 3), `${fixed(f.cpuPerThousand / etcd.put.cpuPerThousand)}×`]),
    ),
  ].join('\n');
}
