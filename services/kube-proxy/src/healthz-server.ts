import * as http from 'node:http';
import type { Clock } from '@kubelab/client';

export interface ProxierHealthServerOptions {
  host: string;
  port: number;
  clock: Clock;
  /** When the proxier last synced its rules (clock ms), undefined until the informers have synced and it has once. */
  lastUpdated: () => number | undefined;
}

/** A running health server. */
export interface ProxierHealthServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * kube-proxy's healthz server (pkg/proxy/healthcheck's ProxierHealthServer, port 10256 — what a
 * cloud load balancer probes): /healthz and /livez answer 200 once the informers have synced
 * and the rules have been laid out, 503 before, with kube-proxy's JSON body
 * `{"lastUpdated": "...","currentTime": "...", "nodeEligible": true}` (times as Go prints them).
 */
export async function startProxierHealthServer(options: ProxierHealthServerOptions): Promise<ProxierHealthServer> {
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/healthz' && path !== '/livez') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
      res.end('404 page not found\n');
      return;
    }
    const lastUpdated = options.lastUpdated();
    res.writeHead(lastUpdated === undefined ? 503 : 200, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' });
    res.end(`{"lastUpdated": ${JSON.stringify(goTime(lastUpdated))},"currentTime": ${JSON.stringify(goTime(options.clock.now()))}, "nodeEligible": true}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as { port: number };
  return {
    url: `http://${options.host}:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A time as Go's time.Time String() prints it in UTC (`2006-01-02 15:04:05.999999999 +0000 UTC`); the zero time before any sync. */
export function goTime(ms: number | undefined): string {
  if (ms === undefined) return '0001-01-01 00:00:00 +0000 UTC';
  const iso = new Date(ms).toISOString();
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ''} +0000 UTC`;
}
