import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, waitFor } from '@kubelab/component-base';
import { loadKubeletApi, type PortForwardRequest, type PortForwardResponse } from '@kubelab/proto';
import { KubeletClientPool, type KubeletClient, type KubeletEndpoint } from './kubelet-client';
import { servePortForward } from './port-forward';
import { encodeData, encodeHeaderBlock, encodeRstStream, encodeSynStream, FLAG_FIN, readFrame, RstStatus, type Frame } from './spdy/frames';
import { HeaderCompression } from './spdy/header-compression';
import { SpdySession } from './spdy/session';

/**
 * A kubelet's PortForward (real gRPC on a real socket) whose "pod" echoes what it gets and
 * half-closes when the caller does.
 */
async function startEchoKubelet(): Promise<{ endpoint: KubeletEndpoint; calls: () => number; close(): void }> {
  const { Kubelet } = loadKubeletApi();
  const server = new grpc.Server();
  let calls = 0;
  const unimplemented = (_call: unknown, callback?: (error: grpc.ServiceError) => void) => callback?.({ code: grpc.status.UNIMPLEMENTED } as grpc.ServiceError);
  server.addService(Kubelet.service, {
    ContainerLogs: unimplemented,
    Exec: unimplemented,
    Attach: unimplemented,
    PortForward: (call: grpc.ServerDuplexStream<PortForwardRequest, PortForwardResponse>) => {
      calls++;
      call.on('data', (request: PortForwardRequest) => {
        if (request.message === 'start') call.write({ connected: {} });
        else if (request.message === 'data') call.write({ data: request.data });
        else if (request.message === 'closeWrite') {
          call.write({ closeWrite: {} });
          call.end();
        }
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
  return { endpoint: { host: '127.0.0.1', port }, calls: () => calls, close: () => server.forceShutdown() };
}

/** kubectl's side of a port-forward SPDY session, enough to open streams and read what comes back. */
class PortForwardClient {
  readonly frames: Frame[] = [];
  private readonly compress = new HeaderCompression('compress');
  private pending = Buffer.alloc(0);
  readonly session = new SpdySession({
    write: (bytes, sent) => {
      sent();
      this.pending = Buffer.concat([this.pending, bytes]);
      for (let read = readFrame(this.pending); read; read = readFrame(this.pending)) {
        this.frames.push(read.frame);
        this.pending = this.pending.subarray(read.size);
      }
    },
    end: () => {},
  });

  async open(id: number, headers: Record<string, string>, flags = 0): Promise<void> {
    const block = encodeHeaderBlock(Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])));
    this.session.feed(encodeSynStream(id, await this.compress.process(block), { flags }));
  }

  close(): void {
    this.compress.close();
    this.session.transportClosed();
  }
}

describe('port-forward over a SPDY session', () => {
  let kubelet: Awaited<ReturnType<typeof startEchoKubelet>>;
  let pool: KubeletClientPool;
  let client: KubeletClient;

  beforeAll(async () => {
    kubelet = await startEchoKubelet();
    pool = new KubeletClientPool(undefined as never);
    client = pool.client(kubelet.endpoint);
  });
  afterAll(() => {
    pool?.close();
    kubelet?.close();
  });

  it('forwards one connection after another on a session without keeping anything of the finished ones', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const kubectl = new PortForwardClient();
    try {
      servePortForward(kubectl.session, client, { namespace: 'default', name: 'web', endpoint: kubelet.endpoint }, createLogger('apiserver', 'silent'));
      const baseline = kubectl.session.listenerCount('close');
      // More connections than an emitter's default listener limit (10).
      for (let i = 0; i < 15; i++) {
        const errorId = 4 * i + 1;
        const dataId = 4 * i + 3;
        await kubectl.open(errorId, { streamtype: 'error', port: '8080', requestid: String(i) }, FLAG_FIN);
        await kubectl.open(dataId, { streamtype: 'data', port: '8080', requestid: String(i) });
        kubectl.session.feed(encodeData(dataId, Buffer.from(`hello ${i}`), true));
        // The pod's answer, then its half-close (FIN).
        await waitFor(() => kubectl.frames.some((f) => f.type === 'DATA' && f.streamId === dataId && (f.flags & FLAG_FIN) !== 0), { timeoutMs: 5_000, intervalMs: 2, what: `connection ${i} to finish` });
        const echoed = Buffer.concat(kubectl.frames.flatMap((f) => (f.type === 'DATA' && f.streamId === dataId ? [f.data] : [])));
        expect(echoed.toString()).toBe(`hello ${i}`);
        // kubectl resets the data stream once both sides are done.
        kubectl.session.feed(encodeRstStream(dataId, RstStatus.Cancel));
        await waitFor(() => kubectl.session.listenerCount('close') === baseline || undefined, { timeoutMs: 5_000, intervalMs: 2, what: `connection ${i}'s listener to go` });
      }
      expect(kubelet.calls()).toBe(15);
      expect(kubectl.session.listenerCount('close')).toBe(baseline);
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      kubectl.close();
    }
  });
});
