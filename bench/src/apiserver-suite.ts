import * as http from 'node:http';
import { startKubelabApiserver, startKubelabStore, type ApiserverProcess } from '@kubelab/testkit';
import { measureApiserverFloor } from './apiserver-floor';
import { withDeadline } from './deadline';
import { EtcdBenchClient } from './etcd-client';
import { h1load, h2load, h2loadAvailable } from './h2load';
import { LatencyRecorder } from './latency';
import { describeMachine } from './machine';
import { cpuSeconds } from './proc';
import { lengthDelimited, message } from './protowire';
import { fixed, table, writeSection } from './report';

/**
 * `npm run bench -- apiserver`: the apiserver on the kubelab store, beside the raw store in the
 * same run. Pod creates through the REST API (h2load, HTTP/1.1, 32 clients), watch delivery
 * through a REST watch, and a LIST of 10,000 pods.
 */
export interface ApiserverBenchOptions {
  creates: number;
  clients: number;
  listPods: number;
  /** Requests that warm up the raw store and the apiserver alike before each is measured. */
  warmup: number;
}

export const APISERVER_DEFAULTS: ApiserverBenchOptions = { creates: 5_000, clients: 32, listPods: 10_000, warmup: 4_000 };

const RAW_KEY = '/bench/raw';
const WATCH_CREATES = 1_000;

const POD = Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { generateName: 'bench-', labels: { app: 'bench' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] } }));

export async function runApiserverBench(options: ApiserverBenchOptions, out: string): Promise<string> {
  if (!h2loadAvailable()) throw new Error("h2load is missing: it comes with Debian's nghttp2-client (scripts/setup.sh installs it)");
  const store = await startKubelabStore();
  let apiserver: ApiserverProcess | undefined;
  try {
    apiserver = await startKubelabApiserver(store.endpoint);
    const put = message(lengthDelimited(1, Buffer.from(RAW_KEY)), lengthDelimited(2, Buffer.alloc(POD.length, 'v')));
    h2load(store.endpoint, '/etcdserverpb.KV/Put', put, options.warmup, options.clients);
    const raw = h2load(store.endpoint, '/etcdserverpb.KV/Put', put, options.creates, options.clients);
    const rawRate = options.creates / raw.seconds;
    // h2load sees HTTP statuses, not gRPC ones: the key's version proves every put went through.
    const client = new EtcdBenchClient(store.endpoint);
    const version = await client.version(RAW_KEY).finally(() => client.close());
    if (version !== options.warmup + options.creates) throw new Error(`raw puts: expected version ${options.warmup + options.creates}, found ${version}`);

    const floor = await measureApiserverFloor(store.endpoint, POD, options.warmup, options.creates, options.clients);

    const podsUrl = `${apiserver.url}/api/v1/namespaces/default/pods`;
    h1load(podsUrl, POD, 'application/json', options.warmup, options.clients);
    const cpuBefore = cpuSeconds(apiserver.child.pid!);
    const creates = h1load(podsUrl, POD, 'application/json', options.creates, options.clients);
    if (creates.succeeded !== options.creates) throw new Error(`pod creates: ${options.creates - creates.succeeded} of ${options.creates} were not 201`);
    const createCpu = ((cpuSeconds(apiserver.child.pid!) - cpuBefore) / options.creates) * 1000;
    const createRate = options.creates / creates.seconds;

    const watch = await watchLatency(apiserver.url, WATCH_CREATES);

    const more = options.listPods - (options.warmup + options.creates + WATCH_CREATES);
    if (more > 0) h1load(podsUrl, POD, 'application/json', more, options.clients);
    const list = await listLatency(`${apiserver.url}/api/v1/pods`, 5);

    const rows = [
      ['raw store put (same value size, same concurrency): ops/s', fixed(rawRate, 0), ''],
      ['pod create through the REST API: creates/s', fixed(createRate, 0), `${fixed(createRate / rawRate)}× the raw store (goal ≥ 0.50×)`],
      [`pod create p50 / p99 latency (ms), ${options.clients} clients`, `${fixed(creates.latency.percentile(0.5))} / ${fixed(creates.latency.percentile(0.99))}`, 'goal p99 < 100 ms'],
      ['pod create: apiserver CPU s / 1,000 creates', fixed(createCpu, 3), ''],
      ['floor: bare Node HTTP server + one store Put per pod: creates/s', fixed(floor.createsPerSecond, 0), `${fixed(floor.createsPerSecond / rawRate)}× the raw store; no apiserver work at all`],
      ['floor: CPU s / 1,000 creates', fixed(floor.cpuPerThousand, 3), ''],
      ['watch delivery p50 / p99 (ms), create sent → event received', `${fixed(watch.percentile(0.5))} / ${fixed(watch.percentile(0.99))}`, 'goal p99 < 20 ms'],
      [`LIST of ${list.count.toLocaleString('en')} pods, p50 / max of 5 (ms)`, `${fixed(list.latency.percentile(0.5))} / ${fixed(list.latency.percentile(1))}`, 'served from the watch cache; goal < 300 ms'],
    ];
    const markdown = [
      '## apiserver: pod creates, watch and list, beside the raw store',
      '',
      `Command: \`npm run bench -- apiserver\`. Machine: ${describeMachine()}. Run on ${new Date().toISOString().slice(0, 10)}.`,
      '',
      `- creates: h2load over HTTP/1.1, ${options.clients} clients with one request each in flight, POSTing a ${POD.length}-byte Pod with`,
      '  generateName (JSON); the raw store figure is h2load putting a value of the same size, with the same concurrency.',
      `  Each is measured after ${options.warmup.toLocaleString('en')} warm-up requests of its own.`,
      '- floor: the same creates against a bare Node.js HTTP server that parses each pod, names it and puts it in the store',
      '  with one etcd Put over node:http2 (no defaults, validation, managedFields, Txn guard or watch cache): the transport alone.',
      '- watch: one REST watch on pods; 1,000 creates one after another; latency from sending the POST to reading the event.',
      `- list: GET /api/v1/pods (JSON) with ${list.count.toLocaleString('en')} pods stored, timed until the last byte is received.`,
      '',
      table(['measure', 'value', 'note'], rows),
    ].join('\n');
    writeSection(out, 'apiserver', markdown);
    return markdown;
  } finally {
    await apiserver?.stop();
    await store.stop();
  }
}

/** Creates pods one by one while a REST watch runs; returns POST-sent → event-read latencies. */
async function watchLatency(base: string, count: number): Promise<LatencyRecorder> {
  const sent = new Map<string, number>();
  const latency = new LatencyRecorder();
  let buffered = '';
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  let watching!: () => void;
  const registered = new Promise<void>((resolve) => (watching = resolve));
  const request = http.get(`${base}/api/v1/namespaces/default/pods?watch=1&labelSelector=bench%3Dwatch`, (res) => {
    watching(); // the apiserver answers once the watch is registered
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffered += chunk;
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const event = JSON.parse(line) as { type: string; object: { metadata: { name: string } } };
        const started = sent.get(event.object.metadata.name);
        if (event.type === 'ADDED' && started !== undefined) latency.record(performance.now() - started);
        if (latency.count === count) resolveDone();
      }
    });
  });
  await withDeadline(registered, 10_000, 'the watch to start');
  for (let i = 0; i < count; i++) {
    const name = `watched-${i}`;
    sent.set(name, performance.now());
    const body = JSON.stringify({ metadata: { name, labels: { bench: 'watch' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } });
    const res = await fetch(`${base}/api/v1/namespaces/default/pods`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    if (res.status !== 201) throw new Error(`create ${name}: ${res.status} ${await res.text()}`);
  }
  await withDeadline(done, 30_000, `all ${count} watch events`);
  request.destroy();
  return latency;
}

async function listLatency(url: string, times: number): Promise<{ latency: LatencyRecorder; count: number }> {
  const latency = new LatencyRecorder();
  let count = 0;
  for (let i = 0; i < times; i++) {
    // Timed to the last byte received; parsing the 10 MB answer is the client's cost, not the server's.
    const started = performance.now();
    const body = await (await fetch(url)).arrayBuffer();
    latency.record(performance.now() - started);
    count = (JSON.parse(Buffer.from(body).toString()) as { items: unknown[] }).items.length;
  }
  return { latency, count };
}
