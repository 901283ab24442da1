import * as http from 'node:http';
import * as https from 'node:https';

/** Headers that belong to one connection, not to the request or response (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);

/** How to reach a backend: its base URL, and for https how to trust it. */
export interface Backend {
  url: URL;
  /** PEM CA bundle to verify an https backend with (APIService spec.caBundle). */
  ca?: string;
  /** Do not verify an https backend's certificate (spec.insecureSkipTLSVerify, or no caBundle). */
  insecure?: boolean;
}

/**
 * What Go's net/http says about a failed request, so messages read as Kubernetes' do:
 * "dial tcp 127.0.0.1:4443: connect: connection refused".
 */
export function goNetError(error: NodeJS.ErrnoException, url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const host = `${url.hostname}:${port}`;
  switch (error.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${host}: connect: connection refused`;
    case 'EHOSTUNREACH':
      return `dial tcp ${host}: connect: no route to host`;
    case 'ENETUNREACH':
      return `dial tcp ${host}: connect: network is unreachable`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `dial tcp: lookup ${url.hostname}: no such host`;
    case 'ETIMEDOUT':
      return `dial tcp ${host}: i/o timeout`;
    case 'ECONNRESET':
      return `read tcp ${host}: read: connection reset by peer`;
    default:
      return error.message;
  }
}

function requestFn(backend: Backend): typeof http.request {
  return (backend.url.protocol === 'https:' ? https.request : http.request) as typeof http.request;
}

function tlsOptions(backend: Backend): https.RequestOptions {
  if (backend.url.protocol !== 'https:') return {};
  return backend.ca && !backend.insecure ? { ca: backend.ca, rejectUnauthorized: true, checkServerIdentity: () => undefined } : { rejectUnauthorized: false };
}

/**
 * A GET the availability check makes (kube-aggregator's discovery check): resolves with the
 * status code, rejects with Go's wording of what went wrong, after `timeoutMs` at the latest.
 */
export function probe(backend: Backend, path: string, timeoutMs: number, headers: Record<string, string>): Promise<number> {
  const target = new URL(path, backend.url);
  return new Promise((resolve, reject) => {
    const req = requestFn(backend)(target, { method: 'GET', headers, timeout: timeoutMs, agent: false, ...tlsOptions(backend) }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'CLIENT_TIMEOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'CLIENT_TIMEOUT' ? 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)' : goNetError(error, target);
      reject(new Error(`Get ${JSON.stringify(target.toString())}: ${why}`));
    });
    req.end();
  });
}

/**
 * Forwards one request to a backend as kube-aggregator's proxy does: same method, path, query,
 * headers (less the hop-by-hop ones and the client's credentials, plus who is asking) and body;
 * the response streams back as it comes, so watches stay open. A backend that cannot be reached
 * is a 503 with Go's error text. Returns a function that cuts the exchange (at shutdown).
 */
export function forward(backend: Backend, req: http.IncomingMessage, res: http.ServerResponse, pathAndQuery: string, onError: (error: Error) => void): () => void {
  const target = new URL(pathAndQuery, backend.url);
  const headers: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || name === 'authorization' || name.startsWith('x-remote-')) continue;
    headers[name] = value;
  }
  // The requestheader identity (kubelab authenticates nobody yet: the anonymous user).
  headers['x-remote-user'] = 'system:anonymous';
  headers['x-remote-group'] = 'system:unauthenticated';
  const client = req.socket.remoteAddress;
  if (client) headers['x-forwarded-for'] = req.headers['x-forwarded-for'] ? `${req.headers['x-forwarded-for']}, ${client}` : client;

  let upstreamResponse: http.IncomingMessage | undefined;
  let cutting = false;
  const upstream = requestFn(backend)(target, { method: req.method, headers, ...tlsOptions(backend) }, (response) => {
    upstreamResponse = response;
    const out: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(response.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
    res.writeHead(response.statusCode ?? 502, out);
    res.flushHeaders(); // a watch's headers go now, its events as they come
    response.pipe(res);
    response.on('error', () => res.destroy());
    response.on('aborted', () => res.destroy());
  });
  upstream.on('error', (error: NodeJS.ErrnoException) => {
    if (cutting) return; // the client left: nothing to report
    onError(error);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const text = `${goNetError(error, target)}\n`;
    res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  });
  req.pipe(upstream);
  const cut = () => {
    if (upstreamResponse?.complete) return;
    cutting = true;
    upstream.destroy();
  };
  res.on('close', cut);
  return () => {
    cut();
    res.destroy();
  };
}
