import type { ServerResponse } from 'node:http';
import { ApiError, failureStatus, FieldPath, forbidden, invalid, type FieldError, type Status } from '@kubelab/apimachinery';
import type { ContainerLogsRequest } from '@kubelab/proto';
import { Errors } from '../errors';
import { sendError } from '../endpoints/http-io';
import { backendError, dialErrorText, kubeletStatus } from './kubelet-client';
import type { StreamingContext } from './streaming-context';
import { podLocation } from './pod-location';
import { encodeQuery, queryBool, queryInt } from './query';

/** v1.PodLogOptions from the query of GET .../pods/{name}/log: the kubelet's request but the pod, sinceTime optional. */
export type PodLogOptions = Omit<ContainerLogsRequest, 'namespace' | 'pod' | 'sinceTime'> & { sinceTime?: string };

/** Reads and validates the options as Kubernetes does (422 PodLogOptions "x" is invalid: tailLines: ...). */
export function podLogOptions(q: URLSearchParams, name: string): PodLogOptions {
  const options: PodLogOptions = {
    container: q.get('container') ?? '',
    follow: queryBool(q, 'follow'),
    previous: queryBool(q, 'previous'),
    timestamps: queryBool(q, 'timestamps'),
    tailLines: queryInt(q, 'tailLines'),
    sinceSeconds: queryInt(q, 'sinceSeconds'),
    limitBytes: queryInt(q, 'limitBytes'),
  };
  const sinceTime = q.get('sinceTime');
  if (sinceTime) {
    if (Number.isNaN(Date.parse(sinceTime))) throw Errors.badRequest(`parsing time ${JSON.stringify(sinceTime)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(sinceTime)} as "2006"`);
    options.sinceTime = new Date(sinceTime).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  // Kubernetes' ValidatePodLogOptions.
  const errors: FieldError[] = [];
  if (options.tailLines !== undefined && options.tailLines < 0) errors.push(invalid(FieldPath.of('tailLines'), options.tailLines, 'must be greater than or equal to 0'));
  if (options.limitBytes !== undefined && options.limitBytes < 1) errors.push(invalid(FieldPath.of('limitBytes'), options.limitBytes, 'must be greater than 0'));
  if (options.sinceSeconds !== undefined && options.sinceTime !== undefined) errors.push(forbidden(FieldPath.of(''), 'at most one of `sinceTime` or `sinceSeconds` may be specified'));
  else if (options.sinceSeconds !== undefined && options.sinceSeconds < 1) errors.push(invalid(FieldPath.of('sinceSeconds'), options.sinceSeconds, 'must be greater than 0'));
  if (errors.length) throw Errors.invalid({ group: '', kind: 'PodLogOptions' }, name, errors);
  return options;
}

/**
 * GET /api/v1/namespaces/{ns}/pods/{name}/log: the container's log from its node's kubelet,
 * streamed as text/plain while it comes (chunked, each chunk flushed), until the kubelet's
 * stream ends or the client goes away. A pod not yet on a node has an empty log, as in
 * Kubernetes; the kubelet's own errors (`container "x" in pod "y" is waiting to start: ...`)
 * are relayed as it answered them (a pod it does not run: `the server could not find the
 * requested resource ( pods/log x)`); an unreachable kubelet is the 500 Kubernetes answers
 * (`Get "https://<ip>:10250/containerLogs/...": dial tcp <ip>:10250: connect: connection refused`).
 * A kubelet error once the log is open ends the body with its text, which kubectl prints.
 */
export async function servePodLog(ctx: StreamingContext, namespace: string, name: string, q: URLSearchParams, res: ServerResponse): Promise<void> {
  // Watched from the start: a client that hangs up while the pod and node are looked up gets no kubelet call.
  let hungUp = false;
  res.once('close', () => (hungUp = true));
  const options = podLogOptions(q, name);
  const location = await podLocation(ctx.registry, namespace, name, options.container);
  if (hungUp) return;
  if (!location.nodeName) {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 0, 'Cache-Control': 'no-cache, private' });
    res.end();
    return;
  }
  const endpoint = await ctx.kubelets.endpointFor(location.nodeName);
  if (hungUp) return;
  const request: ContainerLogsRequest = {
    namespace,
    pod: name,
    container: location.container,
    follow: options.follow,
    previous: options.previous,
    timestamps: options.timestamps,
    sinceTime: options.sinceTime ?? '',
  };
  if (options.tailLines !== undefined) request.tailLines = options.tailLines;
  if (options.sinceSeconds !== undefined) request.sinceSeconds = options.sinceSeconds;
  if (options.limitBytes !== undefined) request.limitBytes = options.limitBytes;
  const call = ctx.kubelets.client(endpoint).ContainerLogs(request);
  const kubeletUrl = () => {
    const query: Array<[string, string]> = [];
    if (options.follow) query.push(['follow', 'true']);
    if (options.previous) query.push(['previous', 'true']);
    if (options.timestamps) query.push(['timestamps', 'true']);
    if (options.sinceSeconds !== undefined) query.push(['sinceSeconds', String(options.sinceSeconds)]);
    if (options.sinceTime) query.push(['sinceTime', options.sinceTime]);
    if (options.tailLines !== undefined) query.push(['tailLines', String(options.tailLines)]);
    if (options.limitBytes !== undefined) query.push(['limitBytes', String(options.limitBytes)]);
    const encoded = encodeQuery(query);
    return `https://${endpoint.host}:${endpoint.port}/containerLogs/${namespace}/${name}/${location.container}${encoded ? `?${encoded}` : ''}`;
  };

  await new Promise<void>((resolve) => {
    let open = false;
    res.on('close', () => {
      // The client went away (or the response is done): the kubelet stops reading.
      call.cancel();
      resolve();
    });
    call.on('data', (chunk: { data: Buffer }) => {
      if (!open) {
        open = true;
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
        res.flushHeaders();
      }
      if (chunk.data.length === 0) return;
      if (!res.write(chunk.data)) {
        call.pause();
        res.once('drain', () => call.resume());
      }
    });
    let failed = false;
    call.on('end', () => {
      if (failed) return;
      if (!open) res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
      res.end();
      resolve();
    });
    call.on('error', (error: Error) => {
      failed = true;
      if (res.destroyed || (error as Partial<{ code: number }>).code === 1 /* CANCELLED: we cancelled */) return resolve();
      const status = kubeletStatus(error);
      if (open) {
        if (status?.message !== undefined) {
          // The kubelet failed after its 200: its error's text ends the body, as it writes it there.
          res.end(status.message);
        } else {
          // The kubelet went away mid-stream: all a proxy can do is cut the body short.
          res.destroy();
        }
        return resolve();
      }
      const dial = dialErrorText(error, endpoint);
      sendError(res, status ? kubeletLogError(status, name) : backendError(dial ? `Get ${JSON.stringify(kubeletUrl())}: ${dial}` : error.message));
      ctx.log.debug({ pod: `${namespace}/${name}`, err: status?.message ?? dial ?? error.message }, 'pod log failed');
      resolve();
    });
  });
}

/**
 * A kubelet's refusal as the apiserver's pods/log response checker turns it into an API error
 * (GenericHttpResponseChecker): a 404 (`pod "x" does not exist`) becomes `the server could not
 * find the requested resource ( pods/log x)`; the other refusals are relayed.
 */
export function kubeletLogError(status: Status, name: string): ApiError {
  if (status.code === 404) {
    return new ApiError(failureStatus(404, 'NotFound', `the server could not find the requested resource ( pods/log ${name})`, { name, group: '', kind: 'pods/log' }));
  }
  return new ApiError(status);
}
