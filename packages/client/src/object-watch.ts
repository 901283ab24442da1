import type * as grpc from '@grpc/grpc-js';
import type { Status } from '@kubelab/apimachinery';
import type { WatchEvent as WireWatchEvent } from '@kubelab/proto';
import { toClientError } from './errors';
import { decodeObject } from './object-json';
import type { KubeObject } from './types';

/**
 * One event of a watch, as Kubernetes' watch.Event: the object after the change (DELETED: as it
 * was deleted, at the deletion's resourceVersion), a BOOKMARK carrying only
 * metadata.resourceVersion, or an ERROR carrying a Status (410 Expired: relist).
 */
export type WatchEvent<T extends KubeObject = KubeObject> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; object: T }
  | { type: 'ERROR'; object: Status };

/**
 * An open watch: iterate it with `for await`, `stop()` it from anywhere. The iteration ends
 * quietly when stopped or when the server ends the stream (timeoutSeconds, shutdown); a broken
 * connection is thrown as ApiserverUnavailableError, so the caller resumes from the last
 * resourceVersion it saw.
 */
export class ObjectWatch<T extends KubeObject = KubeObject> implements AsyncIterable<WatchEvent<T>> {
  private stopped = false;

  constructor(
    private readonly stream: grpc.ClientReadableStream<WireWatchEvent>,
    private readonly target: string,
  ) {
    // Until someone iterates, an error must not go unhandled (Node would crash the process).
    stream.on('error', () => {});
  }

  stop(): void {
    this.stopped = true;
    this.stream.cancel();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent<T>> {
    try {
      for await (const message of this.stream as AsyncIterable<WireWatchEvent>) {
        if (this.stopped) return;
        const event = decodeEvent<T>(message);
        if (event) yield event;
      }
    } catch (error) {
      if (this.stopped) return;
      throw toClientError(error, this.target);
    } finally {
      // Leaving the loop early (break, throw) must end the call on the server too.
      this.stream.cancel();
    }
  }
}

function decodeEvent<T extends KubeObject>(message: WireWatchEvent): WatchEvent<T> | undefined {
  const object = decodeObject<unknown>(message.object);
  switch (message.type) {
    case 'ADDED':
    case 'MODIFIED':
    case 'DELETED':
    case 'BOOKMARK':
      return { type: message.type, object: object as T };
    case 'ERROR':
      return { type: 'ERROR', object: object as Status };
    default:
      return undefined;
  }
}
