import * as grpc from '@grpc/grpc-js';
import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthService, type HealthCheckRequest, type HealthCheckResponse } from './grpc-health';
import { doGRPCProbe, goDuration } from './grpc-probe';

function randomIP(): string {
  const r = (a: number, b: number) => a + Math.floor(Math.random() * (b - a + 1));
  return `127.${r(100, 250)}.${r(0, 255)}.${r(2, 254)}`;
}

function bind(server: grpc.Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => server.bindAsync(`${host}:0`, grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))));
}

describe('grpc probe against a real gRPC server', () => {
  const ip = randomIP();
  const userAgents: string[] = [];
  const health = new grpc.Server();
  const bare = new grpc.Server();
  let port = 0;
  let barePort = 0;

  beforeAll(async () => {
    health.addService(healthService, {
      Check: (call: grpc.ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>, callback: grpc.sendUnaryData<HealthCheckResponse>) => {
        userAgents.push(String(call.metadata.get('user-agent')[0] ?? ''));
        const { service } = call.request;
        if (service === '') callback(null, { status: 1 });
        else if (service === 'db') callback(null, { status: 2 });
        else callback({ code: grpc.status.NOT_FOUND, details: 'unknown service' });
      },
    });
    port = await bind(health, ip);
    barePort = await bind(bare, ip);
  });
  afterAll(() => {
    health.forceShutdown();
    bare.forceShutdown();
  });

  it('SERVING is a success, asked as kube-probe', async () => {
    expect(await doGRPCProbe(ip, port, '', 1000)).toEqual({ result: 'success', output: 'service healthy' });
    expect(userAgents[userAgents.length - 1]).toMatch(/^kube-probe\/1\.32/);
  });

  it('NOT_SERVING is a failure', async () => {
    expect(await doGRPCProbe(ip, port, 'db', 1000)).toEqual({ result: 'failure', output: 'service unhealthy (responded with "NOT_SERVING")' });
  });

  it('an rpc error is a failure with its code and description', async () => {
    expect(await doGRPCProbe(ip, port, 'other', 1000)).toEqual({ result: 'failure', output: 'error: health rpc probe failed: rpc error: code = NotFound desc = unknown service' });
  });

  it('a server without the health service', async () => {
    const outcome = await doGRPCProbe(ip, barePort, '', 1000);
    expect(outcome.result).toBe('failure');
    expect(outcome.output).toMatch(/^error: this server does not implement the grpc health protocol \(grpc\.health\.v1\.Health\): /);
  });

  it('nothing listening: no connection within the timeout', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, ip, () => resolve()));
    const closedPort = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await doGRPCProbe(ip, closedPort, '', 300)).toEqual({ result: 'failure', output: `timeout: failed to connect service "${ip}:${closedPort}" within 300ms: context deadline exceeded` });
  });

  it('prints durations as Go does', () => {
    expect([goDuration(1000), goDuration(250), goDuration(90_000), goDuration(3_600_000)]).toEqual(['1s', '250ms', '1m30s', '1h0m0s']);
  });
});
