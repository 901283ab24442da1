/**
 * blux2/delayfailserver:1.1: a Go web server made to fail its health check. `/healthz` answers 200
 * for the first 10 seconds after start and 503 afterwards (the readiness and liveness lessons);
 * `/` answers throughout. It logs its start and every health check, as the real image does.
 */
import * as http from 'node:http';
import type { ImageDefinition } from '../types';
import { LineWriter, exitOnTermination, listen, nodeEntrypoint, slashTimestamp } from './image-support';

export const delayFailServer: ImageDefinition = {
  repositories: ['docker.io/blux2/delayfailserver'],
  tags: ['1.1'],
  runtime: 'node',
  entrypoint: nodeEntrypoint(__filename),
  cmd: [],
  sizeBytes: 3_752_116,
};

/** How long /healthz stays healthy; KUBELAB_DELAYFAIL_SECONDS shortens it for kubelab's own tests. */
function healthySeconds(): number {
  const text = process.env.KUBELAB_DELAYFAIL_SECONDS;
  const value = Number(text);
  return text && Number.isFinite(value) && value >= 0 ? value : 10;
}

function main(): void {
  const log = new LineWriter('stderr');
  const healthyUntil = Date.now() + healthySeconds() * 1000;

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/healthz') {
      if (Date.now() < healthyUntil) {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('OK');
        log.line(`${slashTimestamp()} Health Check: OK`);
      } else {
        res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('Service Unhealthy');
        log.line(`${slashTimestamp()} Error: Service Unhealthy`);
      }
      return;
    }
    if (path !== '/') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      res.end('404 page not found\n');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Hello, world!');
  });

  listen(
    server,
    8080,
    () => log.line(`${slashTimestamp()} Starting server...`),
    (error) => `${slashTimestamp()} listen tcp :8080: bind: ${error.code === 'EADDRINUSE' ? 'address already in use' : error.message}`,
  );
  // A Go binary as a container's PID 1 ends with exit code 2 on SIGTERM (Kubernetes shows "Error", 2).
  exitOnTermination({ servers: [server], exitCode: 2 });
}

if (require.main === module) main();
