import * as http from 'node:http';
import type * as net from 'node:net';
import type { Logger } from '@kubelab/component-base';
import { Aggregator } from './aggregator/aggregator';
import { Errors } from './errors';
import { GenericRegistry, type AdmissionConfig } from './registry/generic-registry';
import { apiGroupDocument, apiGroupList, apiResourceList, apiVersions, SERVER_VERSION } from './endpoints/discovery';
import { sendError, sendJson } from './endpoints/http-io';
import { openapiV3 } from './endpoints/openapi';
import { parseRequestPath } from './endpoints/request-info';
import { handleResource, type HandlerContext } from './endpoints/resource-handler';
import { PodStreaming } from './streaming/pod-streaming';
import type { ObjectStore } from './storage/object-store';
import { isStoreError } from './storage/store-error';

export interface ApiServerOptions {
  store: ObjectStore;
  advertiseAddress: string;
  bookmarkIntervalMs: number;
  log: Logger;
  ready: () => boolean;
  /** Milliseconds between availability checks of every APIService (besides one on each change). */
  apiServiceCheckIntervalMs?: number;
  admission?: AdmissionConfig;
  /** --service-cluster-ip-range: where ClusterIPs come from. */
  serviceClusterIPRange?: string;
}

/**
 * The HTTP side of the apiserver: discovery, /version, health, and every resource through one
 * handler. Each request is logged at debug level with its verb, path, status and latency.
 */
export function createApiServer(options: ApiServerOptions): { server: http.Server; registry: GenericRegistry; aggregator: Aggregator; closeWatches(): void } {
  const registry = new GenericRegistry(options.store, undefined, options.admission, options.serviceClusterIPRange);
  const aggregator = new Aggregator({ registry, log: options.log, checkIntervalMs: options.apiServiceCheckIntervalMs ?? 5_000 });
  const streaming = new PodStreaming({ registry, log: options.log });
  const ctx: HandlerContext = { registry, bookmarkIntervalMs: options.bookmarkIntervalMs, watches: new Set(), streaming };
  const serve = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const started = performance.now();
    res.on('finish', () => options.log.debug({ verb: req.method, path: req.url, code: res.statusCode, ms: Math.round(performance.now() - started) }, 'request'));
    route(req, res).catch((error: unknown) => {
      if (error instanceof Error && error.name === 'ApiError') return sendError(res, error);
      if (isStoreError(error)) {
        // As Kubernetes answers an error that is not a Status: a 500 with the store's own words ("etcdserver: request is too large").
        options.log.error({ err: error.message, path: req.url }, 'the store refused a request');
        return sendError(res, error);
      }
      // Anything else is a 500 InternalError, "Internal error occurred: <message>", wrapped once (apimachinery's internalApiError).
      options.log.error({ err: (error as Error)?.message, stack: (error as Error)?.stack, path: req.url }, 'request failed');
      sendError(res, Errors.internal(error));
    });
  };
  const server = http.createServer(serve);
  server.keepAliveTimeout = 65_000;
  // kubectl exec / attach / port-forward upgrade to WebSocket or SPDY; any other upgrade request is answered as a plain one.
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    if (streaming.handleUpgrade(req, socket, head)) return;
    const res = new http.ServerResponse(req);
    res.assignSocket(socket);
    res.shouldKeepAlive = false;
    res.on('finish', () => socket.end());
    serve(req, res);
  });

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://apiserver');
    // The aggregation layer first: a group version an APIService sends elsewhere is proxied whole.
    const remote = aggregator.remoteFor(url.pathname);
    if (remote) return aggregator.proxy(remote, req, res, url);
    const target = parseRequestPath(url.pathname);
    const get = req.method === 'GET' || req.method === 'HEAD';
    switch (target.kind) {
      case 'resource':
        return handleResource(ctx, target.request, url, req, res);
      case 'version':
        return sendJson(res, 200, SERVER_VERSION);
      case 'health': {
        const ok = target.check === 'livez' || options.ready();
        res.writeHead(ok ? 200 : 500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(ok ? 'ok' : `[-]etcd failed: reason withheld\n${target.check} check failed`);
        return;
      }
      case 'discovery-root':
        if (!get) break;
        return sendJson(res, 200, target.api === 'api' ? apiVersions(options.advertiseAddress) : apiGroupList(aggregator.aggregated()));
      case 'discovery-group': {
        const doc = get ? apiGroupDocument(target.group, aggregator.aggregated()) : undefined;
        if (doc) return sendJson(res, 200, doc);
        break;
      }
      case 'discovery-version': {
        const doc = get ? apiResourceList(target.group, target.version) : undefined;
        if (doc) return sendJson(res, 200, doc);
        break;
      }
      case 'openapi': {
        const doc = get ? openapiV3(target.path) : undefined;
        if (typeof doc === 'string') {
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(doc) });
          res.end(doc);
          return;
        }
        if (doc) return sendJson(res, 200, doc);
        break;
      }
      default:
        break;
    }
    throw Errors.notFoundPath();
  }

  return {
    server,
    registry,
    aggregator,
    closeWatches() {
      for (const close of ctx.watches) close();
      streaming.close();
    },
  };
}
