/**
 * blux2/hello-server 1.6 / 1.7 / 1.8: the small Go web server of the book "つくって、壊して、直して
 * 学ぶ Kubernetes入門". `/` greets, `/health` and `/healthz` answer 200 OK, `/metrics` is Prometheus
 * text. 1.7 is the broken release: every request to `/` keeps 5 MiB it never frees, so a 100Mi
 * limit is crossed after about 20 requests (OOMKilled); 1.8 is the fix.
 *
 * 1.6 and 1.8 are native: Debian's busybox `httpd` serving the files of assets/hello-server/
 * (about 1 ms of CPU to start and 1 MB resident, where a Node.js program costs 50-110 ms and
 * grows 15-25 MiB under load: a hundred pods start in well under a second, and the HPA
 * scenario's 10Mi limit holds under load). 1.7 is the Node.js program below, which leaks.
 */
import * as http from 'node:http';
import * as path from 'node:path';
import type { ImageDefinition } from '../types';
import { LineWriter, exitOnTermination, imageTag, listen, nodeEntrypoint, slashTimestamp } from './image-support';

/** assets/hello-server of this package (from src/images or dist/images alike). */
const ASSETS = path.resolve(__dirname, '../../assets/hello-server');

const envForTag = (tag: string | undefined): Record<string, string> => ({ HELLO_SERVER_VERSION: tag ?? '1.8' });

/**
 * 1.6 and 1.8: a shell script that execs busybox httpd (in the foreground, on the pod's IP and
 * $PORT, logging one line per request to stderr). It ignores its arguments (a pod's `args`).
 */
export const helloServer: ImageDefinition = {
  repositories: ['docker.io/blux2/hello-server'],
  tags: ['1.6', '1.8'],
  runtime: 'native',
  entrypoint: ['/usr/bin/busybox', 'sh', path.join(ASSETS, 'hello-server.sh')],
  cmd: [],
  envForTag,
  sizeBytes: 4_183_220,
};

/** 1.7: the Node.js program of this file, which keeps memory per request. */
export const helloServerLeaky: ImageDefinition = {
  repositories: ['docker.io/blux2/hello-server'],
  tags: ['1.7'],
  runtime: 'node',
  entrypoint: nodeEntrypoint(__filename),
  cmd: [],
  envForTag,
  sizeBytes: 4_183_220,
};

/** What 1.7 keeps per request to `/`. */
const LEAK_BYTES = 5 * 1024 * 1024;
const GREETING = "Hello, world! Let's learn Kubernetes!";

function main(): void {
  const version = imageTag('HELLO_SERVER_VERSION', '1.8');
  const leaks = version === '1.7';
  const log = new LineWriter('stderr'); // Go's log package writes to stderr.
  const retained: Buffer[] = [];
  const served = new Map<string, number>();
  let scrapes = 0;
  const started = Date.now();

  const count = (path: string, code: number): void => {
    const key = `code="${code}",path="${path}"`;
    served.set(key, (served.get(key) ?? 0) + 1);
  };

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/health' || path === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('OK');
      log.line(`${slashTimestamp()} Health Status OK`);
      count(path, 200);
      return;
    }
    if (path === '/metrics') {
      scrapes += 1;
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(metrics(served, scrapes, started));
      return;
    }
    if (path !== '/') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      res.end('404 page not found\n');
      log.line(`${slashTimestamp()} ${req.method} ${path} 404`);
      count(path, 404);
      return;
    }
    if (leaks) {
      // Touch every page, so the memory is resident (counted against the limit), not just reserved.
      retained.push(Buffer.allocUnsafe(LEAK_BYTES).fill(retained.length % 255 + 1));
    }
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(GREETING);
    log.line(`${slashTimestamp()} ${req.method} ${path} 200`);
    count(path, 200);
  });

  const port = Number(process.env.PORT || '8080');
  listen(
    server,
    port,
    () => log.line(`${slashTimestamp()} Starting server on port ${port}`),
    (error) => `${slashTimestamp()} listen tcp :${port}: bind: ${error.code === 'EADDRINUSE' ? 'address already in use' : error.message}`,
  );
  // A Go binary as a container's PID 1 ends with exit code 2 on SIGTERM.
  exitOnTermination({ servers: [server], exitCode: 2 });
}

function metrics(served: Map<string, number>, scrapes: number, started: number): string {
  const usage = process.cpuUsage();
  const lines = [
    '# HELP http_requests_total Count of HTTP requests served, by path and status code.',
    '# TYPE http_requests_total counter',
    ...[...served].map(([labels, value]) => `http_requests_total{${labels}} ${value}`),
    '# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.',
    '# TYPE process_cpu_seconds_total counter',
    `process_cpu_seconds_total ${(usage.user + usage.system) / 1e6}`,
    '# HELP process_resident_memory_bytes Resident memory size in bytes.',
    '# TYPE process_resident_memory_bytes gauge',
    `process_resident_memory_bytes ${process.memoryUsage.rss()}`,
    '# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.',
    '# TYPE process_start_time_seconds gauge',
    `process_start_time_seconds ${started / 1000}`,
    '# HELP promhttp_metric_handler_requests_total Total number of scrapes by HTTP status code.',
    '# TYPE promhttp_metric_handler_requests_total counter',
    `promhttp_metric_handler_requests_total{code="200"} ${scrapes}`,
  ];
  return `${lines.join('\n')}\n`;
}

if (require.main === module) main();
