import type { Status } from '@kubelab/apimachinery';
import { OBJECTS_SERVICE, type GrpcChannel, type GrpcError, type GrpcStream, type WatchEvent as WireWatchEvent } from '@kubelab/proto';
import { responseParsingError, toClientError } from './errors';
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

const WATCH = OBJECTS_SERVICE.Watch!;

/**
 * An open watch: iterate it with `for await`, `stop()` it from anywhere. The iteration ends
 * quietly when stopped or when the server ends the stream (timeoutSeconds, shutdown); a broken
 * connection is thrown as ApiserverUnavailableError, so the caller resumes from the last
 * resourceVersion it saw. Every event received before a break is yielded before the error.
 *
 * The call is gRPC server streaming on GrpcChannel: the one request, then the sending side
 * closed. Events wait here, undecoded, until the iteration takes them; the iterating code (the
 * reflector) handles each without awaiting, so they never pile up.
 */
export class ObjectWatch<T extends KubeObject = KubeObject> implements AsyncIterable<WatchEvent<T>> {
  private stopped = false;
  private readonly received: Buffer[] = [];
  /** Set once the call is over: how it ended (undefined: the server ended it with OK). */
  private ended: { error: GrpcError | undefined } | undefined;
  /** The iteration waiting for the next message or the end. */
  private wake: (() => void) | undefined;
  private readonly call: GrpcStream;

  constructor(
    channel: GrpcChannel,
    /** The encoded WatchRequest. */
    request: Buffer,
    private readonly target: string,
  ) {
    this.call = channel.stream(
      WATCH.path,
      (message) => {
        this.received.push(message);
        this.notify();
      },
      (error) => {
        this.ended = { error };
        this.notify();
      },
    );
    this.call.send(request);
    this.call.end();
  }

  stop(): void {
    this.stopped = true;
    this.call.cancel();
    this.notify();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent<T>> {
    try {
      while (!this.stopped) {
        const message = this.received.shift();
        if (message) {
          const event = decodeEvent<T>(message, this.target);
          if (event) yield event;
        } else if (this.ended) {
          if (this.ended.error && !this.stopped) throw toClientError(this.ended.error, this.target);
          return;
        } else {
          await new Promise<void>((resolve) => (this.wake = resolve));
        }
      }
    } finally {
      // Leaving the loop early (break, throw) must end the call on the server too.
      this.call.cancel();
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

function decodeEvent<T extends KubeObject>(bytes: Buffer, target: string): WatchEvent<T> | undefined {
  let message: WireWatchEvent;
  try {
    message = WATCH.responseDeserialize(bytes) as WireWatchEvent;
  } catch (error) {
    throw responseParsingError(error, target);
  }
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
