import * as http from 'node:http';
import { Registry, collectDefaultMetrics } from 'prom-client';

/** A named check; it throws or returns false when unhealthy. */
export type HealthCheck = () => boolean | Promise<boolean>;

export interface HealthServerOptions {
  host: string;
  port: number;
  registry: Registry;
  /** Checks behind /readyz; /healthz and /livez only say the process serves HTTP. */
  readiness?: Record<string, HealthCheck>;
  /** Extra routes (e.g. etcd's /health), answered with JSON. */
  extraRoutes?: Record<string, () => Promise<{ status: number; body: unknown }>>;
}

export interface HealthServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves /healthz, /livez, /readyz (with `?verbose` listing each check as Kubernetes does) and
 * Prometheus /metrics, as every Kubernetes component does.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  // The event-loop lag monitor samples every 10 ms by default: that timer alone woke each of a
  // lab's dozen processes 100 times a second. Once a second is enough to read lag from.
  collectDefaultMetrics({ register: options.registry, eventLoopMonitoringPrecision: 1000 });
  const server = http.createServer((req, res) => {
    void route(options, req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${options.host}:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function route(options: HealthServerOptions, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  switch (url.pathname) {
    case '/healthz':
    case '/livez':
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      return;
    case '/readyz': {
      const lines: string[] = [];
      let ready = true;
      for (const [name, check] of Object.entries(options.readiness ?? {})) {
        const ok = await Promise.resolve()
          .then(check)
          .catch(() => false);
        ready &&= ok;
        lines.push(`[${ok ? '+' : '-'}]${name} ${ok ? 'ok' : 'failed'}`);
      }
      res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' });
      const verdict = ready ? 'readyz check passed' : 'readyz check failed';
      res.end(url.searchParams.has('verbose') ? `${lines.join('\n')}\n${verdict}\n` : ready ? 'ok' : verdict);
      return;
    }
    case '/metrics':
      res.writeHead(200, { 'content-type': options.registry.contentType });
      res.end(await options.registry.metrics());
      return;
    default: {
      const extra = options.extraRoutes?.[url.pathname];
      if (extra) {
        const { status, body } = await extra();
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('404 page not found\n');
    }
  }
}
