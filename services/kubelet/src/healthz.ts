import { startHealthServer, type HealthCheck, type HealthServer } from '@kubelab/component-base';
import { Registry } from 'prom-client';

/**
 * The kubelet's healthz endpoint (--healthz-port, 10248, on the node's IP): `/healthz` answers
 * `ok`, as `curl http://<node-ip>:10248/healthz` does on a real node. The kubelet starts it once
 * its Node is registered, so "it answers" means "registered"; `/readyz?verbose` lists the
 * checks (registered, and whatever the assembly adds), and `/metrics` the process metrics.
 */
export function startKubeletHealthServer(options: { host: string; port: number; checks: Record<string, HealthCheck> }): Promise<HealthServer> {
  return startHealthServer({ host: options.host, port: options.port, registry: new Registry(), readiness: options.checks });
}
