import type { Logger } from '@kubelab/component-base';
import type { PortForwardResponse } from '@kubelab/proto';
import { dialErrorText, kubeletStatus, type KubeletClient, type KubeletEndpoint } from './kubelet-client';
import type { SpdySession, SpdyStream } from './spdy/session';

/** The port-forward stream protocol (X-Stream-Protocol-Version). */
export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
/** kubectl 1.30+ tunnels SPDY in a WebSocket whose subprotocol is this prefix plus the SPDY protocol. */
export const SPDY_TUNNELING_PREFIX = 'SPDY/3.1+';

/** How long a forwarded connection may take to open both its streams (Kubernetes' streamCreationTimeout). */
const STREAM_CREATION_TIMEOUT_MS = 30_000;

interface StreamPair {
  requestId: string;
  error?: SpdyStream;
  data?: SpdyStream;
  timer?: NodeJS.Timeout;
}

/**
 * Port forwarding over a SPDY session (portforward.k8s.io): for each local connection kubectl
 * opens two streams with the same `requestID` and `port` headers, one `streamType: error` and
 * one `streamType: data`. Once both are there the apiserver opens a kubelet PortForward call and
 * copies bytes both ways, half-closes included; a failure (`error forwarding port 8080 to pod
 * ...`) is written on the error stream, which kubectl prints. Both streams end (FIN) when the
 * connection to the pod is done.
 */
export function servePortForward(session: SpdySession, client: KubeletClient, pod: { namespace: string; name: string; endpoint: KubeletEndpoint }, log: Logger): void {
  const pairs = new Map<string, StreamPair>();

  session.on('stream', (stream: SpdyStream) => {
    stream.on('error', () => {});
    const problem = invalidHeaders(stream);
    if (problem) {
      log.debug({ pod: `${pod.namespace}/${pod.name}`, err: problem }, 'port-forward stream refused');
      return stream.reset();
    }
    const type = stream.headers.streamtype!;
    // Clients older than request ids pair streams by id: error n, data n+2.
    const requestId = stream.headers.requestid || String(type === 'data' ? stream.id - 2 : stream.id);
    let pair = pairs.get(requestId);
    if (!pair) {
      pair = { requestId };
      pairs.set(requestId, pair);
      const created = pair;
      created.timer = setTimeout(() => {
        pairs.delete(requestId);
        created.error?.end(`(conn=${session.label}, request=${requestId}) timed out waiting for streams`);
        created.data?.end();
      }, STREAM_CREATION_TIMEOUT_MS);
      created.timer.unref();
    }
    const slot = type === 'error' ? 'error' : 'data';
    if (pair[slot]) {
      pair.error?.write(`error processing stream for request ${requestId}: ${slot} stream already assigned`);
      return stream.reset();
    }
    pair[slot] = stream;
    if (pair.error && pair.data) {
      clearTimeout(pair.timer);
      pairs.delete(requestId);
      forward(pair.error, pair.data, Number(stream.headers.port));
    }
  });

  function forward(errorStream: SpdyStream, dataStream: SpdyStream, port: number): void {
    const call = client.PortForward();
    let done = false;
    const finish = (message?: string) => {
      if (done) return;
      done = true;
      dataStream.end();
      errorStream.end(message);
    };
    // The session outlives this connection: its listener goes when the connection does.
    const sessionClosed = () => {
      if (!done) call.cancel();
    };
    session.on('close', sessionClosed);
    dataStream.once('close', () => session.off('close', sessionClosed));
    call.write({ start: { namespace: pod.namespace, pod: pod.name, port } });
    call.on('data', (response: PortForwardResponse) => {
      if (response.message === 'data') {
        // kubectl is behind: stop reading the kubelet (gRPC flow control then stops the pod's side).
        if (!dataStream.write(response.data) && !call.isPaused()) {
          call.pause();
          const caughtUp = () => {
            dataStream.off('drain', caughtUp);
            dataStream.off('close', caughtUp);
            call.resume();
          };
          dataStream.once('drain', caughtUp);
          dataStream.once('close', caughtUp);
        }
      } else if (response.message === 'closeWrite') dataStream.end();
    });
    call.on('end', () => finish());
    call.on('error', (error: Error) => {
      if (done) return;
      const status = kubeletStatus(error);
      const dial = dialErrorText(error, pod.endpoint);
      const message = status?.message ?? (dial ? `error forwarding port ${port} to pod ${pod.name}_${pod.namespace}, uid : ${dial}` : error.message);
      log.debug({ pod: `${pod.namespace}/${pod.name}`, port, err: message }, 'port-forward failed');
      // A call we cancelled ourselves (kubectl reset the stream) is no error for kubectl to print.
      finish((error as { code?: number }).code === 1 ? undefined : message);
    });
    dataStream.on('data', (data: Buffer) => {
      if (done) return;
      // The kubelet is behind (the pod reads slowly): stop reading kubectl's stream.
      if (!call.write({ data }) && !dataStream.isPaused()) {
        dataStream.pause();
        const caughtUp = () => {
          call.off('drain', caughtUp);
          call.off('status', caughtUp);
          dataStream.resume();
        };
        call.once('drain', caughtUp);
        call.once('status', caughtUp);
      }
    });
    dataStream.on('end', () => {
      if (!done) call.write({ closeWrite: {} });
    });
    // kubectl resets the data stream once the pod's side has finished: the call is over.
    dataStream.on('close', () => {
      if (!done) call.cancel();
      else call.end();
    });
  }
}

/** What Kubernetes' kubelet checks before it takes a stream (httpStreamReceived). */
function invalidHeaders(stream: SpdyStream): string | undefined {
  const port = stream.headers.port ?? '';
  if (!port) return '"port" header is required';
  if (!/^\d+$/.test(port) || Number(port) > 65535) return `unable to parse ${JSON.stringify(port)} as a port: strconv.ParseUint: parsing ${JSON.stringify(port)}: invalid syntax`;
  if (Number(port) < 1) return `port ${JSON.stringify(port)} must be > 0`;
  const type = stream.headers.streamtype ?? '';
  if (!type) return '"streamType" header is required';
  if (type !== 'error' && type !== 'data') return `invalid stream type ${JSON.stringify(type)}`;
  return undefined;
}
