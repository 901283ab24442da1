import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { realClock } from '@kubelab/client';
import { waitFor } from '@kubelab/component-base';
import type { Endpoint } from './endpoint';
import { ProxySocket } from './proxy-socket';
import { ask, randomNet } from './testing/fixtures';

/** A real ProxySocket in front of a real server process whose accept queue is full. */
describe('ProxySocket dials as the userspace proxier does', () => {
  const cleanup: Array<() => void | Promise<void>> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  /** A server in a process of its own that answers `hello` and closes, listening with an accept queue of two (backlog 1: Node takes 0 for its default, 511). */
  async function tinyBacklogServer(host: string, port: number): Promise<ChildProcess> {
    const source = `require('net').createServer((s) => s.end('hello')).listen({ host: '${host}', port: ${port}, backlog: 1 }, () => console.log('up'))`;
    const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanup.push(() => {
      child.kill('SIGKILL');
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`server exited (${code})`)));
    });
    return child;
  }

  /** Connects until the kernel stops answering SYNs for this address: its accept queue is full. */
  async function fillAcceptQueue(host: string, port: number): Promise<void> {
    for (let i = 0; i < 16; i++) {
      const socket = net.connect({ host, port });
      socket.on('error', () => {});
      cleanup.push(() => {
        socket.destroy();
      });
      const connected = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 300);
        socket.once('connect', () => (clearTimeout(timer), resolve(true)));
      });
      if (!connected) return;
    }
    throw new Error('the accept queue never filled');
  }

  it('a dial the full accept queue drops is made again after 250 ms, on the only endpoint, and gets through once the server accepts', async () => {
    const ip = randomNet();
    const server = await tinyBacklogServer(ip(11), 8080);
    server.kill('SIGSTOP');
    cleanup.push(() => {
      server.kill('SIGCONT');
    });
    await fillAcceptQueue(ip(11), 8080);

    const messages: string[] = [];
    const log = pino({ level: 'debug' }, new Writable({ write: (line, _encoding, done) => (messages.push(JSON.parse(String(line)).msg as string), done()) }));
    const endpoint: Endpoint = { key: `${ip(11)}:8080`, ip: ip(11), port: 8080, nodeName: undefined, ready: true, serving: true, terminating: false };
    const proxy = new ProxySocket({ address: ip(100), port: 80, kind: 'ClusterIP', pick: () => endpoint, retryMs: 100, clock: realClock, log });
    cleanup.push(() => proxy.close());
    proxy.setRoute({ servicePort: 'default/slow:80', endpoints: [endpoint], stickyMaxAgeSeconds: undefined });
    await waitFor(() => proxy.listening, { timeoutMs: 5_000, what: 'the proxy listening' });

    const answer = ask(ip(100), 80);
    answer.catch(() => {}); // (awaited below; a failure before that is the waitFor's to report)
    // The kernel would send the dropped SYN again after 1 s; the proxier dials afresh at 250 ms and 500 ms.
    await waitFor(() => messages.filter((m) => m === 'endpoint did not answer in time; dialing again').length >= 2, { timeoutMs: 5_000, what: 'two dials made again' });
    server.kill('SIGCONT');
    await expect(answer).resolves.toBe('hello');
  });
});
