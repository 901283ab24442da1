import type * as grpc from '@grpc/grpc-js';
import type { Logger } from '@kubelab/component-base';
import type { ContainerLogsRequest, LogChunk } from '@kubelab/proto';
import type { LogOptions } from '../runtime/types';
import { toServiceError } from './status';
import type { PodStreams } from './types';

/**
 * Kubelet.ContainerLogs (the kubelet's /containerLogs): the chunks PodStreams reads, written as
 * the client takes them (a slow kubectl slows the read, it does not fill memory), until the log
 * ends or the caller goes away. A failure before the log is open is the call's error (a Status);
 * one while reading it comes as the last chunk, its text, and the call ends normally: the
 * kubelet has answered 200 by then and writes the error into the body (`unable to retrieve
 * container logs for <id>`), which kubectl prints.
 */
export function containerLogsHandler(streams: PodStreams, log: Logger): grpc.handleServerStreamingCall<ContainerLogsRequest, LogChunk> {
  return (call) => {
    const abort = new AbortController();
    call.on('cancelled', () => abort.abort());
    const r = call.request;
    serve(streams, call, abort.signal).catch((error: unknown) => {
      if (abort.signal.aborted) return;
      log.debug({ pod: `${r.namespace}/${r.pod}`, container: r.container, err: (error as Error).message }, 'container logs refused');
      call.emit('error', toServiceError(error));
    });
  };
}

async function serve(streams: PodStreams, call: grpc.ServerWritableStream<ContainerLogsRequest, LogChunk>, signal: AbortSignal): Promise<void> {
  const r = call.request;
  const options: LogOptions & { previous?: boolean } = { follow: r.follow, previous: r.previous, timestamps: r.timestamps };
  if (r.tailLines !== undefined) options.tailLines = r.tailLines;
  if (r.sinceSeconds !== undefined) options.sinceSeconds = r.sinceSeconds;
  if (r.sinceTime) options.sinceTime = new Date(r.sinceTime);
  if (r.limitBytes !== undefined) options.limitBytes = r.limitBytes;
  const chunks = await streams.logs(r.namespace, r.pod, r.container, options, signal);
  // An empty first chunk says the log is open: the apiserver answers 200 before any output.
  call.write({ data: Buffer.alloc(0) });
  try {
    for await (const chunk of chunks) {
      if (signal.aborted) return;
      if (!call.write({ data: chunk })) await drained(call, signal);
    }
  } catch (error) {
    if (signal.aborted) return;
    // As go-restful's WriteError once the body has begun: the error's text, no newline.
    call.write({ data: Buffer.from(error instanceof Error ? error.message : String(error)) });
  }
  if (!signal.aborted) call.end();
}

/** Resolves when the client has taken what was written (or has gone). */
export function drained(call: { once(event: 'drain', listener: () => void): unknown; off(event: 'drain', listener: () => void): unknown }, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      call.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    call.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
