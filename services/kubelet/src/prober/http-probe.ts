import * as http from 'node:http';
import * as https from 'node:https';
import { goQuote } from '@kubelab/apimachinery';
import { joinHostPort } from './container-port';
import { dialErrorMessage, readErrorMessage } from './dial-error';
import type { HTTPProbeRequest } from './http-request';
import { MAX_PROBE_OUTPUT_BYTES, type ProbeOutcome } from './probe-outcome';

/** Statuses Go's http.Client follows for a GET. */
const FOLLOWED_REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;

export interface HTTPProbeOptions {
  /** The kubelet follows redirects to other hosts only when told so (it is not, by default). */
  followNonLocalRedirects?: boolean;
  /** Ends the exchange early, as the deadline does (a lifecycle hook of a pod being deleted). */
  cancelled?: AbortSignal;
}

/** An error of the exchange, already worded as Go's http.Client words it (after `Get "<url>": `). */
class ExchangeError extends Error {}

/**
 * The httpGet probe (pkg/probe/http.DoHTTPProbe): one GET with a fresh connection and no
 * certificate checks, within the timeout for the whole exchange. 200 <= status < 400 is a
 * success; a redirect is followed while it stays on the same host, and one that leaves it ends
 * the probe as a success with a warning ("Probe terminated redirects, ..."). A connection or
 * protocol error is a failure with Go's message (`Get "http://...": dial tcp ...: connect:
 * connection refused`); a body that cannot be read in time is an error.
 */
export async function doHTTPProbe(request: HTTPProbeRequest, timeoutMs: number, options: HTTPProbeOptions = {}): Promise<ProbeOutcome> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  const cancel = () => deadline.abort();
  options.cancelled?.addEventListener('abort', cancel, { once: true });
  if (options.cancelled?.aborted) cancel();
  try {
    let url = request.url;
    let display = request.display;
    const headers = new Map(request.headers);
    const customHost = headers.get('Host')?.[0];
    const via: URL[] = [];
    for (;;) {
      let response: http.IncomingMessage;
      try {
        response = await send(url, headers, deadline.signal);
      } catch (error) {
        return { result: 'failure', output: `Get ${goQuote(display)}: ${(error as Error).message}` };
      }
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (FOLLOWED_REDIRECTS.has(status) && location !== undefined) {
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          response.destroy();
          return { result: 'failure', output: `Get ${goQuote(display)}: failed to parse Location header ${goQuote(location)}: invalid URL` };
        }
        via.push(url);
        const leavesHost = next.hostname !== via[0]!.hostname;
        if (!(leavesHost && !options.followNonLocalRedirects)) {
          response.destroy();
          if (via.length >= MAX_REDIRECTS) return { result: 'failure', output: `Get ${goQuote(location)}: stopped after ${MAX_REDIRECTS} redirects` };
          if (!(url.protocol === 'https:' && next.protocol === 'http:')) headers.set('Referer', [withoutUserInfo(url)]);
          // A custom Host header survives only a relative redirect (net/http, issue 22233).
          if (customHost && !isRelative(location)) headers.delete('Host');
          url = next;
          display = next.href;
          continue;
        }
      }
      let body: string;
      try {
        body = await readAtMost(response, MAX_PROBE_OUTPUT_BYTES, deadline.signal);
      } catch (error) {
        return { result: 'failure', output: '', error: error as Error, statusCode: status };
      }
      if (status >= 200 && status < 400) {
        if (status >= 300) return { result: 'warning', output: `Probe terminated redirects, Response body: ${body}`, statusCode: status };
        return { result: 'success', output: body, statusCode: status };
      }
      // Kubernetes keeps the body out of this message on purpose (issue 99425).
      return { result: 'failure', output: `HTTP probe failed with statuscode: ${status}`, statusCode: status };
    }
  } finally {
    clearTimeout(timer);
    options.cancelled?.removeEventListener('abort', cancel);
  }
}

/** Sends one GET and resolves with the response once its headers have arrived. */
function send(url: URL, headers: Map<string, string[]>, deadline: AbortSignal): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
    if (!client) return reject(new ExchangeError(`unsupported protocol scheme ${goQuote(url.protocol.replace(/:$/, ''))}`));
    const outgoing: http.OutgoingHttpHeaders = {};
    for (const [key, values] of headers) if (key !== 'Host') outgoing[key] = values.length === 1 ? values[0] : values;
    const host = headers.get('Host')?.[0];
    if (host) outgoing.host = host;

    const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    let connected = false;
    let local: string | undefined;
    let done = false;
    const fail = (message: string) => {
      if (done) return;
      done = true;
      deadline.removeEventListener('abort', onDeadline);
      req.destroy();
      reject(new ExchangeError(message));
    };
    const onDeadline = () =>
      fail(connected ? 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)' : `dial tcp ${joinHostPort(hostname, port)}: i/o timeout (Client.Timeout exceeded while awaiting headers)`);

    const req = client.request(url, { method: 'GET', headers: outgoing, agent: false, rejectUnauthorized: false });
    req.on('socket', (socket) => {
      socket.once('connect', () => {
        connected = true;
        local = socket.localAddress ? joinHostPort(socket.localAddress, socket.localPort ?? 0) : undefined;
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (/wrong version number/.test(error.message)) return fail('http: server gave HTTP response to HTTPS client');
      if (!connected) {
        if (error.message === 'socket hang up') return fail('EOF');
        return fail(error.syscall || error.code === 'ECONNREFUSED' ? dialErrorMessage(error, hostname, port) : error.message);
      }
      if (error.message === 'socket hang up') return fail('EOF');
      if (error.code === 'ECONNRESET') return fail(readErrorMessage(error, local, joinHostPort(hostname, port)));
      if (error.code?.startsWith('HPE_')) return fail(`net/http: HTTP/1.x transport connection broken: malformed HTTP response`);
      fail(error.message);
    });
    req.on('response', (response) => {
      // Errors after the answer are the body reader's business (or nobody's, once it is dropped).
      response.on('error', () => {});
      if (done) return response.destroy();
      done = true;
      deadline.removeEventListener('abort', onDeadline);
      resolve(response);
    });
    if (deadline.aborted) return onDeadline();
    deadline.addEventListener('abort', onDeadline, { once: true });
    req.end();
  });
}

/** Reads at most `limit` bytes of a body (utilio.ReadAtMost: a longer body is cut, not an error). */
function readAtMost(response: http.IncomingMessage, limit: number, deadline: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      deadline.removeEventListener('abort', onDeadline);
      response.destroy();
      if (error) reject(error);
      else resolve(Buffer.concat(chunks).subarray(0, limit).toString('utf8'));
    };
    const onDeadline = () => finish(new Error('context deadline exceeded (Client.Timeout or context cancellation while reading body)'));
    response.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) finish();
    });
    response.once('end', () => finish());
    response.once('aborted', () => finish(new Error('unexpected EOF')));
    response.on('error', (error) => finish(error.message === 'aborted' ? new Error('unexpected EOF') : error));
    if (deadline.aborted) return onDeadline();
    deadline.addEventListener('abort', onDeadline, { once: true });
  });
}

function withoutUserInfo(url: URL): string {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  copy.hash = '';
  return copy.href;
}

function isRelative(location: string): boolean {
  return !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(location);
}
