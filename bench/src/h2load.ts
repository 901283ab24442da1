import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LatencyRecorder } from './latency';

/**
 * h2load (nghttp2's HTTP/2 load generator, written in C) as the gRPC client of a throughput phase:
 * it spends far less CPU per request than any Node.js client, so on a 2-core machine the figures
 * are the server's, not the client's. Each request is one unary gRPC call with a fixed body.
 */
export interface H2LoadResult {
  seconds: number;
  latency: LatencyRecorder;
  succeeded: number;
}

export function h2loadAvailable(): boolean {
  return spawnSync('h2load', ['--version']).status === 0;
}

/** Runs `total` calls of `method` (e.g. `/etcdserverpb.KV/Put`) with `message` (protobuf bytes), `concurrency` in flight on one connection. */
export function h2load(endpoint: string, method: string, message: Buffer, total: number, concurrency: number): H2LoadResult {
  const body = Buffer.alloc(5 + message.length);
  body.writeUInt32BE(message.length, 1);
  message.copy(body, 5);
  return run(['-c', '1', '-m', String(concurrency), '-H', 'content-type: application/grpc', '-H', 'te: trailers'], `http://${endpoint}${method}`, body, total);
}

/** Plain HTTP/1.1 requests with a body, `clients` connections each with one request at a time (as kubectl clients are). */
export function h1load(url: string, body: Buffer, contentType: string, total: number, clients: number): H2LoadResult {
  return run(['--h1', '-c', String(clients), '-m', '1', '-H', `content-type: ${contentType}`], url, body, total);
}

function run(flags: string[], url: string, body: Buffer, total: number): H2LoadResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelab-h2load-'));
  try {
    fs.writeFileSync(path.join(dir, 'body'), body);
    const log = path.join(dir, 'log');
    const run = spawnSync('h2load', ['-n', String(total), ...flags, '-d', path.join(dir, 'body'), '--log-file', log, url], { encoding: 'utf8', timeout: 300_000 });
    if (run.status !== 0) throw new Error(`h2load failed: ${run.stderr || run.stdout}`);
    const finished = /finished in ([\d.]+)(s|ms)/.exec(run.stdout);
    // "succeeded" counts any answer; 2xx ones are the successes here.
    const succeeded = Number(/status codes: (\d+) 2xx/.exec(run.stdout)?.[1] ?? 0);
    if (!finished) throw new Error(`cannot read h2load's output:\n${run.stdout}`);
    const latency = new LatencyRecorder();
    // One line per request: start time (µs since the epoch), HTTP status, µs until the response ended.
    for (const line of fs.readFileSync(log, 'utf8').split('\n')) {
      const micros = Number(line.split('\t')[2]);
      if (Number.isFinite(micros) && line) latency.record(micros / 1000);
    }
    return { seconds: Number(finished[1]) / (finished[2] === 'ms' ? 1000 : 1), latency, succeeded };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
