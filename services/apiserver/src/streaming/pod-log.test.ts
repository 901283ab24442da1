import * as grpc from '@grpc/grpc-js';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failureStatus } from '@kubelab/apimachinery';
import { createLogger, waitFor } from '@kubelab/component-base';
import { loadKubeletApi, STATUS_METADATA_KEY, type ContainerLogsRequest, type LogChunk } from '@kubelab/proto';
import type { GenericRegistry } from '../registry/generic-registry';
import type { KubeObject } from '../registry/types';
import { KubeletClientPool, type KubeletEndpoint } from './kubelet-client';
import { servePodLog } from './pod-log';
import type { StreamingContext } from './streaming-context';

/** A failed kubelet call as the kubelet API sends it: the Status in the trailing metadata. */
function kubeletFailure(code: number, message: string): Partial<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  metadata.set(STATUS_METADATA_KEY, Buffer.from(JSON.stringify(failureStatus(code, code === 404 ? 'NotFound' : 'InternalError', message))));
  return { code: code === 404 ? grpc.status.NOT_FOUND : grpc.status.INTERNAL, details: message, metadata };
}

/**
 * A kubelet's ContainerLogs (real gRPC): `follow` follows forever; pod "stray" is not on this
 * kubelet; pod "broken" fails after its first line.
 */
async function startKubelet(): Promise<{ endpoint: KubeletEndpoint; calls: string[]; open: () => number; close(): void }> {
  const { Kubelet } = loadKubeletApi();
  const server = new grpc.Server();
  const calls: string[] = [];
  let open = 0;
  const unimplemented = (_call: unknown, callback?: (error: grpc.ServiceError) => void) => callback?.({ code: grpc.status.UNIMPLEMENTED } as grpc.ServiceError);
  server.addService(Kubelet.service, {
    ContainerLogs: (call: grpc.ServerWritableStream<ContainerLogsRequest, LogChunk>) => {
      const r = call.request;
      calls.push(r.pod);
      if (r.pod === 'stray') return call.emit('error', kubeletFailure(404, `pod "${r.pod}" does not exist`));
      open++;
      call.on('cancelled', () => open--);
      call.write({ data: Buffer.alloc(0) });
      call.write({ data: Buffer.from('one\n') });
      if (r.pod === 'broken') {
        open--;
        return call.emit('error', kubeletFailure(500, 'unable to retrieve container logs for kubelab://abc'));
      }
      if (!r.follow) {
        open--;
        call.end();
      }
    },
    Exec: unimplemented,
    Attach: unimplemented,
    PortForward: unimplemented,
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
  return { endpoint: { host: '127.0.0.1', port }, calls, open: () => open, close: () => server.forceShutdown() };
}

describe('pods/log through the kubelet', () => {
  let kubelet: Awaited<ReturnType<typeof startKubelet>>;
  let pool: KubeletClientPool;
  let server: http.Server;
  let base: string;
  /** Pod lookups wait for this while set (a slow store). */
  let lookupGate: Promise<void> | undefined;
  let lookups = 0;
  const served: Array<Promise<void>> = [];
  /** Responses whose client has gone (or that are done). */
  let closedResponses = 0;

  beforeAll(async () => {
    kubelet = await startKubelet();
    pool = new KubeletClientPool(undefined as never);
    const registry = {
      async get(_type: unknown, namespace: string, name: string): Promise<KubeObject> {
        lookups++;
        await lookupGate;
        return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] } };
      },
    } as unknown as GenericRegistry;
    const kubelets = { endpointFor: async () => kubelet.endpoint, client: (endpoint: KubeletEndpoint) => pool.client(endpoint) } as unknown as KubeletClientPool;
    const ctx: StreamingContext = { registry, kubelets, log: createLogger('apiserver', 'silent') };
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://apiserver');
      res.once('close', () => closedResponses++);
      served.push(servePodLog(ctx, 'default', url.pathname.slice(1), url.searchParams, res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    pool?.close();
    kubelet?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('a client that hangs up while the pod is looked up starts no kubelet follow that nobody ends', async () => {
    let openGate!: () => void;
    lookupGate = new Promise((resolve) => (openGate = resolve));
    const before = { lookups, calls: kubelet.calls.length, served: served.length, closed: closedResponses };
    const request = http.get(`${base}/web?follow=true`);
    request.on('error', () => undefined);
    await waitFor(() => lookups > before.lookups, { timeoutMs: 5_000, intervalMs: 5, what: 'the pod lookup' });
    request.destroy();
    await waitFor(() => closedResponses > before.closed, { timeoutMs: 5_000, intervalMs: 5, what: 'the server to see the hang-up' });
    openGate();
    lookupGate = undefined;
    let finished = false;
    void served[before.served]!.then(() => (finished = true));
    await waitFor(() => finished, { timeoutMs: 5_000, intervalMs: 5, what: 'the log request to be over' });
    expect(kubelet.open()).toBe(0);
    expect(kubelet.calls.length).toBe(before.calls);
  });

  it('a pod the kubelet does not run: 404 as the pods/log response checker words it', async () => {
    const res = await fetch(`${base}/stray`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'NotFound',
      message: 'the server could not find the requested resource ( pods/log stray)',
      details: { name: 'stray', group: '', kind: 'pods/log' },
      code: 404,
    });
  });

  it('a kubelet error after the log is open ends the body with its text; the response is complete', async () => {
    const res = await fetch(`${base}/broken`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('one\nunable to retrieve container logs for kubelab://abc');
  });
});
