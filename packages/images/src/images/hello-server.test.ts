import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { ensureBuilt, httpRequest, killAll, rssBytes, startImage } from '../testing/harness';

beforeAll(() => ensureBuilt(), 120_000);
afterEach(() => killAll());

const MiB = 1024 * 1024;
const GREETING = "Hello, world! Let's learn Kubernetes!";

describe('blux2/hello-server 1.6 and 1.8 (native: busybox httpd)', () => {
  it('1.6 greets on 8080, answers /health, /healthz and /metrics, ignores extra args, and logs a line per request', async () => {
    const server = await startImage('blux2/hello-server:1.6', { port: 8080, args: ['--flag'] });
    const base = `http://${server.ip}:8080`;
    const hello = await httpRequest(`${base}/`);
    expect(hello).toMatchObject({ status: 200, body: GREETING });
    expect(hello.headers['content-type']).toBe('text/plain;charset=utf-8');
    expect(hello.headers['content-length']).toBe(String(GREETING.length));
    expect(await httpRequest(`${base}/healthz`)).toMatchObject({ status: 200, body: 'OK' });
    expect(await httpRequest(`${base}/health`)).toMatchObject({ status: 200, body: 'OK' });
    expect((await httpRequest(`${base}/nope`)).status).toBe(404);
    const metrics = await httpRequest(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('# TYPE hello_server_up gauge\nhello_server_up 1\n');

    // busybox httpd -vv: two lines per request on stderr (its path, then its status), written by the connection's own process.
    const lines = (): string[] => server.stderr().split('\n').filter((line) => line !== '');
    await waitFor(() => lines().length === 10, { timeoutMs: 5000, intervalMs: 5, what: 'ten log lines' });
    expect(lines().map((line) => line.replace(/^[\d.]+:\d+: /, ''))).toEqual(['url:/', 'response:200', 'url:/healthz', 'response:200', 'url:/health', 'response:200', 'url:/nope', 'response:404', 'url:/metrics', 'response:200']);
    expect(server.stdout()).toBe('');

    // exec: httpd itself is the process, and SIGTERM ends it at once.
    const stopped = await server.stop();
    expect(stopped).toMatchObject({ code: null, signal: 'SIGTERM' });
    expect(stopped.ms).toBeLessThan(1000);
  });

  it('listens on $PORT; 1.8 is the same server', async () => {
    const server = await startImage('blux2/hello-server:1.8', { port: 8081, env: { PORT: '8081' } });
    expect(await httpRequest(`http://${server.ip}:8081/`)).toMatchObject({ status: 200, body: GREETING });
  });

  it('exits 1 when the port is taken', async () => {
    const first = await startImage('blux2/hello-server:1.6', { port: 8080 });
    const second = await startImage('blux2/hello-server:1.6', { ip: first.ip });
    expect(await second.exited).toEqual({ code: 1, signal: null });
    expect(second.stderr()).toBe('httpd: bind: Address already in use\n');
  });

  it('starts small and stays small under load', async () => {
    const server = await startImage('blux2/hello-server:1.8', { port: 8080 });
    expect(server.timeToListenMs).toBeLessThan(500);
    const idle = rssBytes(server.pid);
    expect(idle).toBeLessThan(4 * MiB);
    await Promise.all(Array.from({ length: 10 }, async () => {
      for (let i = 0; i < 20; i++) expect((await httpRequest(`http://${server.ip}:8080/`)).status).toBe(200);
    }));
    expect(rssBytes(server.pid)).toBeLessThan(idle + MiB);
  });
});

describe('blux2/hello-server 1.7 (the Node.js program that leaks)', () => {
  it('greets, answers /health, /healthz and /metrics, and logs as the Go program does', async () => {
    const server = await startImage('blux2/hello-server:1.7', { port: 8080, args: ['--flag'] });
    const base = `http://${server.ip}:8080`;
    const hello = await httpRequest(`${base}/`);
    expect(hello).toMatchObject({ status: 200, body: GREETING });
    expect(hello.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(await httpRequest(`${base}/healthz`)).toMatchObject({ status: 200, body: 'OK' });
    expect(await httpRequest(`${base}/health`)).toMatchObject({ status: 200, body: 'OK' });
    expect(await httpRequest(`${base}/nope`)).toMatchObject({ status: 404, body: '404 page not found\n' });
    const metrics = await httpRequest(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('http_requests_total{code="200",path="/"} 1\n');
    expect(metrics.body).toContain('http_requests_total{code="200",path="/healthz"} 1\n');
    expect(metrics.body).toMatch(/^process_resident_memory_bytes \d+$/m);
    expect(metrics.body).toContain('# TYPE http_requests_total counter');

    const stopped = await server.stop();
    expect(stopped.code).toBe(2); // a Go binary as PID 1 on SIGTERM
    const lines = server.stderr().trim().split('\n');
    expect(lines[0]).toMatch(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} Starting server on port 8080$/);
    expect(lines.filter((line) => line.endsWith(' Health Status OK'))).toHaveLength(2);
    expect(lines.some((line) => / GET \/ 200$/.test(line))).toBe(true);
  });

  it('keeps at least 4 MiB resident per request to /; 1.8 does not', async () => {
    const leaky = await startImage('blux2/hello-server:1.7', { port: 8080 });
    const fixed = await startImage('blux2/hello-server:1.8', { port: 8080 });
    // Warm both up (first requests compile code and grow the heap once).
    for (const server of [leaky, fixed]) for (let i = 0; i < 3; i++) await httpRequest(`http://${server.ip}:8080/`);

    const leakyGrowth: number[] = [];
    for (let i = 0; i < 5; i++) {
      const before = rssBytes(leaky.pid);
      await httpRequest(`http://${leaky.ip}:8080/`);
      leakyGrowth.push(rssBytes(leaky.pid) - before);
    }
    for (const growth of leakyGrowth) expect(growth).toBeGreaterThanOrEqual(4 * MiB);

    const before = rssBytes(fixed.pid);
    for (let i = 0; i < 5; i++) await httpRequest(`http://${fixed.ip}:8080/`);
    expect(rssBytes(fixed.pid) - before).toBeLessThan(4 * MiB);
  });
});
