import * as grpc from '@grpc/grpc-js';
import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { STATUS_METADATA_KEY } from '@kubelab/proto';
import { dialErrorText, dialKubelet, kubeletEndpointOf, kubeletStatus } from './kubelet-client';

const node = (status: Record<string, unknown>) => ({ metadata: { name: 'n1' }, status });

describe('finding a node\'s kubelet', () => {
  it('takes the InternalIP and the kubelet endpoint port the Node advertises (10250 if none)', () => {
    const addresses = [
      { type: 'Hostname', address: 'n1' },
      { type: 'InternalIP', address: '127.18.0.2' },
    ];
    expect(kubeletEndpointOf(node({ addresses, daemonEndpoints: { kubeletEndpoint: { Port: 12345 } } }))).toEqual({ host: '127.18.0.2', port: 12345 });
    expect(kubeletEndpointOf(node({ addresses }))).toEqual({ host: '127.18.0.2', port: 10250 });
    expect(() => kubeletEndpointOf(node({ addresses: [] }))).toThrow('no preferred addresses found; known addresses: []');
  });

  it('words an unreachable kubelet as Go does, and reads a kubelet\'s Status', async () => {
    const endpoint = { host: '127.0.0.1', port: 1 };
    const refused = Object.assign(new Error('14 UNAVAILABLE'), { code: grpc.status.UNAVAILABLE, details: 'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1', metadata: new grpc.Metadata() });
    expect(dialErrorText(refused, endpoint)).toBe('dial tcp 127.0.0.1:1: connect: connection refused');
    const metadata = new grpc.Metadata();
    metadata.set(STATUS_METADATA_KEY, Buffer.from(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'no', code: 400 })));
    const answered = Object.assign(new Error('3 INVALID_ARGUMENT'), { code: grpc.status.INVALID_ARGUMENT, details: 'no', metadata });
    expect(kubeletStatus(answered)).toMatchObject({ code: 400, message: 'no' });
    expect(dialErrorText(answered, endpoint)).toBeUndefined();

    const closed = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    expect(await dialKubelet({ host: '127.0.0.1', port: closed })).toBe(`dial tcp 127.0.0.1:${closed}: connect: connection refused`);
  });
});
