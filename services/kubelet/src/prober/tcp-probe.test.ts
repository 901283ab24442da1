import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doTCPProbe } from './tcp-probe';

function randomIP(): string {
  const r = (a: number, b: number) => a + Math.floor(Math.random() * (b - a + 1));
  return `127.${r(100, 250)}.${r(0, 255)}.${r(2, 254)}`;
}

async function listen(server: net.Server, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

describe('tcpSocket probe against real sockets', () => {
  const ip = randomIP();
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    socket.destroy();
  });
  let port = 0;

  beforeAll(async () => {
    port = await listen(server, ip);
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('an open port is a success, and the connection is made', async () => {
    const before = accepted;
    expect(await doTCPProbe(ip, port, 1000)).toEqual({ result: 'success', output: '' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(accepted).toBe(before + 1);
  });

  it('a closed port fails with Go\'s dial message', async () => {
    const closed = net.createServer();
    const closedPort = await listen(closed, ip);
    await new Promise((resolve) => closed.close(resolve));
    expect(await doTCPProbe(ip, closedPort, 1000)).toEqual({ result: 'failure', output: `dial tcp ${ip}:${closedPort}: connect: connection refused` });
  });
});
