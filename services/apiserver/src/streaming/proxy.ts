import * as http from 'node:http';
import { ApiError, newServiceUnavailable } from '@kubelab/apimachinery';
import { goNetError } from '../aggregator/proxy';
import { Errors } from '../errors';
import { lookup } from '../registry/catalog';
import type { KubeObject } from '../registry/types';
import { getPod } from './pod-location';
import type { StreamingContext } from './streaming-context';

/** Headers that belong to one connection, not to the request or response. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);

/** `name`, `name:port` or `scheme:name:port` (Kubernetes' utilnet.SplitSchemeNamePort). */
export function splitSchemeNamePort(id: string): { scheme: string; name: string; port: string } | undefined {
  const parts = id.split(':');
  const [scheme, name, port] = parts.length === 1 ? ['', parts[0]!, ''] : parts.length === 2 ? ['', parts[0]!, parts[1]!] : parts.length === 3 ? parts : [];
  if (name === undefined || !name || !['', 'http', 'https'].includes(scheme!)) return undefined;
  return { scheme: scheme!, name, port: port! };
}

interface Backend {
  host: string;
  port: number;
}

/** A pod's IP and the port asked for (or its first container port), as Kubernetes' pod ResourceLocation. */
async function podBackend(ctx: StreamingContext, namespace: string, name: string, port: string): Promise<Backend> {
  const pod = await getPod(ctx.registry, namespace, name);
  const spec = (pod.spec ?? {}) as { containers?: Array<{ ports?: Array<{ containerPort?: number }> }> };
  const status = (pod.status ?? {}) as { podIP?: string; podIPs?: Array<{ ip?: string }> };
  const chosen = port || String(spec.containers?.find((c) => c.ports?.length)?.ports?.[0]?.containerPort ?? '');
  // Kubernetes refuses anything but a global unicast pod IP; kubelab's pod network is loopback, so only a missing IP is refused.
  const ip = status.podIPs?.[0]?.ip || status.podIP;
  if (!ip) throw Errors.badRequest('address not allowed');
  return { host: ip, port: Number(chosen || 80) };
}

/** A ready endpoint of the service's port, picked at random (Kubernetes' service ResourceLocation). */
async function serviceBackend(ctx: StreamingContext, namespace: string, name: string, port: string): Promise<Backend> {
  let portName = port;
  if (/^\d+$/.test(port)) {
    const service = await ctx.registry.get(lookup('', 'v1', 'services')!, namespace, name);
    const ports = ((service.spec ?? {}) as { ports?: Array<{ name?: string; port?: number }> }).ports ?? [];
    const found = ports.find((p) => p.port === Number(port));
    if (!found) throw new ApiError(newServiceUnavailable(`no service port ${port} found for service ${JSON.stringify(name)}`));
    portName = found.name ?? '';
  }
  const endpoints: KubeObject = await ctx.registry.get(lookup('', 'v1', 'endpoints')!, namespace, name);
  const subsets = (endpoints.subsets ?? []) as Array<{ addresses?: Array<{ ip: string }>; ports?: Array<{ name?: string; port: number }> }>;
  if (subsets.length === 0) throw new ApiError(newServiceUnavailable(`no endpoints available for service ${JSON.stringify(name)}`));
  const seed = Math.floor(Math.random() * subsets.length);
  for (let i = 0; i < subsets.length; i++) {
    const subset = subsets[(seed + i) % subsets.length]!;
    const addresses = subset.addresses ?? [];
    const match = (subset.ports ?? []).find((p) => (p.name ?? '') === portName);
    if (addresses.length && match) return { host: addresses[Math.floor(Math.random() * addresses.length)]!.ip, port: match.port };
  }
  throw new ApiError(newServiceUnavailable(`no endpoints available for service ${JSON.stringify(port ? `${name}:${port}` : name)}`));
}

/**
 * pods/proxy and services/proxy (`kubectl proxy`, `kubectl get --raw .../services/web:80/proxy/`):
 * the request goes on to the pod's IP, or to a random ready endpoint of the service, with the
 * path after `/proxy`; the answer streams back. A backend that cannot be reached is the 503
 * Kubernetes answers (`error trying to reach service: dial tcp ...: connect: connection refused`).
 */
export async function serveProxy(ctx: StreamingContext, resource: 'pods' | 'services', namespace: string, id: string, url: URL, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const parsed = splitSchemeNamePort(id);
  if (!parsed) throw Errors.badRequest(`invalid ${resource === 'pods' ? 'pod' : 'service'} request ${JSON.stringify(id)}`);
  const backend = resource === 'pods' ? await podBackend(ctx, namespace, parsed.name, parsed.port) : await serviceBackend(ctx, namespace, parsed.name, parsed.port);
  const marker = url.pathname.indexOf('/proxy');
  const path = (url.pathname.slice(marker + '/proxy'.length) || '/') + url.search;
  const headers: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined && !HOP_BY_HOP.has(name) && name !== 'authorization') headers[name] = value;
  headers.host = `${backend.host}:${backend.port}`;

  await new Promise<void>((resolve) => {
    const upstream = http.request({ host: backend.host, port: backend.port, path, method: req.method, headers, agent: false }, (response) => {
      const out: http.OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(response.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
      res.writeHead(response.statusCode ?? 502, out);
      response.pipe(res);
      response.on('end', resolve);
      response.on('error', () => res.destroy());
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      resolve();
      if (res.headersSent || res.destroyed) return res.destroy();
      const status = newServiceUnavailable(`error trying to reach service: ${goNetError(error, new URL(`http://${backend.host}:${backend.port}`))}`);
      res.writeHead(503, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
      res.end(JSON.stringify(status));
    });
    res.on('close', () => {
      upstream.destroy();
      resolve();
    });
    req.pipe(upstream);
  });
}
