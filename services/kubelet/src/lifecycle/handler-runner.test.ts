import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, realClock, type KubeObject } from '@kubelab/client';
import { RuntimeHarness, testContainer, testPod } from '../runtime/testdata/harness';
import { HandlerRunner, type HookTarget } from './handler-runner';

const harness = new RuntimeHarness();
const servers: http.Server[] = [];
afterEach(async () => {
  await harness.cleanup();
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

const pod = { metadata: { name: 'demo', namespace: 'default', uid: 'u-1' } } as KubeObject;
const WHERE = 'for Container "web" in Pod "demo_default(u-1)"';

/** A real container (busybox sleeping) to exec hooks in. */
async function target(extra: Partial<HookTarget> = {}): Promise<{ runner: HandlerRunner; target: HookTarget }> {
  const runtime = harness.runtime();
  const started = await runtime.startContainer(testPod('demo'), testContainer('web', 'busybox', { command: ['sleep', '60'] }));
  return {
    runner: new HandlerRunner({ runtime, clock: realClock }),
    target: { pod, container: { name: 'web', env: [{ name: 'GREETING', value: 'hi' }] }, containerId: started.id, podIP: '127.0.0.1', ...extra },
  };
}

async function serve(status: number): Promise<{ port: number; requests: http.IncomingMessage[] }> {
  const requests: http.IncomingMessage[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req);
    res.writeHead(status).end('body');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, requests };
}

describe('lifecycle hooks (HandlerRunner)', () => {
  it('exec: succeeds on exit 0; the command is run as written ($(VAR) is not expanded, as the kubelet does not)', async () => {
    const { runner, target: t } = await target();
    expect(await runner.run(t, { exec: { command: ['sh', '-c', 'test "$1" = \'$(GREETING)\'', 'sh', '$(GREETING)'] } })).toBeUndefined();
  });

  it('exec: a non-zero exit gives Kubernetes\' message, with the command, stderr and the whole output', async () => {
    const { runner, target: t } = await target();
    expect(await runner.run(t, { exec: { command: ['sh', '-c', 'echo out; echo err >&2; exit 3'] } })).toBe(
      `Exec lifecycle hook ([sh -c echo out; echo err >&2; exit 3]) ${WHERE} failed - error: command 'sh -c echo out; echo err >&2; exit 3' exited with 3: err\n, message: "out\\nerr\\n"`,
    );
  });

  it('exec: a command that does not exist, and a deadline passed', async () => {
    const { runner, target: t } = await target();
    expect(await runner.run(t, { exec: { command: ['nope'] } })).toMatch(/^Exec lifecycle hook \(\[nope\]\) for Container "web" in Pod "demo_default\(u-1\)" failed - error: .*exec: "nope": executable file not found in \$PATH: unknown, message: ""$/);
    expect(await runner.run(t, { exec: { command: ['sleep', '30'] } }, { timeoutMs: 200 })).toBe(`Exec lifecycle hook ([sleep 30]) ${WHERE} failed - error: command "sleep 30" timed out, message: ""`);
  });

  it('httpGet: any answer is a success (a 500 too), sent as kube-lifecycle; no answer fails with Go\'s dial error', async () => {
    const { runner, target: t } = await target();
    const server = await serve(500);
    expect(await runner.run(t, { httpGet: { port: server.port, path: '/shutdown' } })).toBeUndefined();
    expect(server.requests.map((r) => [r.url, r.headers['user-agent']])).toEqual([['/shutdown', 'kube-lifecycle/1.32']]);
    const closed = await serve(200);
    await new Promise((resolve) => servers.pop()!.close(resolve));
    expect(await runner.run(t, { httpGet: { port: closed.port, path: '/shutdown' } })).toBe(
      `HTTP lifecycle hook (/shutdown) ${WHERE} failed - error: Get "http://127.0.0.1:${closed.port}/shutdown": dial tcp 127.0.0.1:${closed.port}: connect: connection refused`,
    );
  });

  it('httpGet: an HTTPS hook on a plain HTTP server is sent again over HTTP without Authorization (LifecycleHTTPFallback)', async () => {
    const server = await serve(200);
    const fallbacks: string[] = [];
    const { target: t } = await target();
    const runner = new HandlerRunner({ runtime: harness.runtime(), clock: realClock, onHTTPFallback: (_pod, host) => fallbacks.push(host) });
    const hook = { httpGet: { port: server.port, path: '/stop', scheme: 'HTTPS', httpHeaders: [{ name: 'Authorization', value: 'Bearer x' }, { name: 'X-Kept', value: 'y' }] } };
    expect(await runner.run(t, hook)).toBeUndefined();
    expect(fallbacks).toEqual([`127.0.0.1:${server.port}`]);
    // The TLS handshake reached the server as garbage: only the retry is an HTTP request.
    expect(server.requests.map((r) => [r.url, r.headers['authorization'], r.headers['x-kept']])).toEqual([['/stop', undefined, 'y']]);
  });

  it('httpGet: a redirect to another host is not followed, and its answer counts', async () => {
    const elsewhere = await serve(200);
    const server = http.createServer((_req, res) => res.writeHead(302, { Location: `http://127.0.0.2:${elsewhere.port}/` }).end());
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { runner, target: t } = await target();
    expect(await runner.run(t, { httpGet: { port: (server.address() as AddressInfo).port, path: '/' } })).toBeUndefined();
    expect(elsewhere.requests).toHaveLength(0);
  });

  it('httpGet: a named port is looked up among the container\'s ports', async () => {
    const server = await serve(200);
    const { runner, target: t } = await target({ container: { name: 'web', ports: [{ name: 'admin', containerPort: server.port }] } });
    expect(await runner.run(t, { httpGet: { port: 'admin', path: '/' } })).toBeUndefined();
    expect(server.requests).toHaveLength(1);
  });

  it('sleep: waits its seconds on the clock; cancelled, it fails as the container terminated', async () => {
    const clock = new FakeClock();
    const runner = new HandlerRunner({ runtime: harness.runtime(), clock });
    const t: HookTarget = { pod, container: { name: 'web' }, containerId: 'none', podIP: '127.0.0.1' };
    let done: string | undefined | null = null;
    const sleeping = runner.run(t, { sleep: { seconds: 5 } }).then((r) => (done = r));
    await clock.advance(4_999);
    expect(done).toBeNull();
    await clock.advance(1);
    await sleeping;
    expect(done).toBeUndefined();

    const cancel = new AbortController();
    const cut = runner.run(t, { sleep: { seconds: 5 } }, { cancelled: cancel.signal });
    cancel.abort();
    expect(await cut).toBe(`Sleep lifecycle hook (5) ${WHERE} failed - error: container terminated before sleep hook finished`);
  });

  it('a tcpSocket hook (accepted by the API, never run) fails', async () => {
    const runner = new HandlerRunner({ runtime: harness.runtime(), clock: realClock });
    expect(await runner.run({ pod, container: { name: 'web' }, containerId: 'none', podIP: '127.0.0.1' }, { tcpSocket: { port: 80 } })).toBe('Cannot run handler: invalid handler: &LifecycleHandler{Exec:nil,HTTPGet:nil,TCPSocket:&TCPSocketAction{Port:{0 80 },Host:,},Sleep:nil,}');
  });
});
