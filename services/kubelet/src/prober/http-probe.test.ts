import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doHTTPProbe } from './http-probe';
import { newRequestForHTTPGetAction } from './http-request';
import type { Container, HTTPGetAction } from './probe-spec';

function randomIP(): string {
  const r = (a: number, b: number) => a + Math.floor(Math.random() * (b - a + 1));
  return `127.${r(100, 250)}.${r(0, 255)}.${r(2, 254)}`;
}

async function listen(server: http.Server | import('node:net').Server, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** A port on `host` where nothing listens. */
async function closedPort(host: string): Promise<number> {
  const server = http.createServer();
  const port = await listen(server, host);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('httpGet probe against real servers', () => {
  const ip = randomIP();
  const otherIP = randomIP();
  let port = 0;
  let otherPort = 0;
  let otherHits = 0;
  const seen: Array<{ url: string; headers: http.IncomingHttpHeaders }> = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    switch (req.url) {
      case '/ok':
        return res.end('fine');
      case '/fail':
        res.writeHead(503);
        return res.end('sick body');
      case '/hang':
        return; // never answers
      case '/redirect-local':
        res.writeHead(302, { location: '/ok' });
        return res.end();
      case '/redirect-away':
        res.writeHead(302, { location: `http://${otherIP}:${otherPort}/ok` });
        return res.end('moved away');
      case '/loop':
        res.writeHead(301, { location: '/loop' });
        return res.end();
      case '/big':
        return res.end('x'.repeat(64 * 1024));
      case '/hangup':
        return req.socket.destroy();
      default:
        res.writeHead(404);
        return res.end();
    }
  });
  const other = http.createServer((_req, res) => {
    otherHits++;
    res.end('other');
  });
  const container: Container = { name: 'web', ports: [{ name: 'http', containerPort: 0 }] };
  const request = (action: Partial<HTTPGetAction>, host = ip) => newRequestForHTTPGetAction({ port, ...action }, container, host);
  const since = () => seen.length;

  beforeAll(async () => {
    port = await listen(server, ip);
    otherPort = await listen(other, otherIP);
    container.ports![0]!.containerPort = port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await new Promise((resolve) => other.close(resolve));
  });

  it('200 is a success', async () => {
    expect(await doHTTPProbe(request({ path: '/ok' }), 1000)).toEqual({ result: 'success', output: 'fine', statusCode: 200 });
  });

  it('503 is a failure worded as Kubernetes words it, without the body', async () => {
    expect(await doHTTPProbe(request({ path: '/fail' }), 1000)).toEqual({ result: 'failure', output: 'HTTP probe failed with statuscode: 503', statusCode: 503 });
  });

  it('a refused connection fails with Go\'s message', async () => {
    const closed = await closedPort(ip);
    const outcome = await doHTTPProbe(request({ path: '/health', port: closed }), 1000);
    expect(outcome).toEqual({ result: 'failure', output: `Get "http://${ip}:${closed}/health": dial tcp ${ip}:${closed}: connect: connection refused` });
  });

  it('an empty path prints without a slash', async () => {
    const closed = await closedPort(ip);
    const outcome = await doHTTPProbe(request({ port: closed }), 1000);
    expect(outcome.output).toBe(`Get "http://${ip}:${closed}": dial tcp ${ip}:${closed}: connect: connection refused`);
  });

  it('no answer within the timeout fails with the client timeout message', async () => {
    const started = Date.now();
    const outcome = await doHTTPProbe(request({ path: '/hang' }), 300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(outcome).toEqual({ result: 'failure', output: `Get "http://${ip}:${port}/hang": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
  });

  it('a connection closed without an answer is EOF', async () => {
    expect(await doHTTPProbe(request({ path: '/hangup' }), 1000)).toEqual({ result: 'failure', output: `Get "http://${ip}:${port}/hangup": EOF` });
  });

  it('a redirect on the same host is followed', async () => {
    const before = since();
    expect(await doHTTPProbe(request({ path: '/redirect-local' }), 1000)).toEqual({ result: 'success', output: 'fine', statusCode: 200 });
    expect(seen.slice(before).map((s) => s.url)).toEqual(['/redirect-local', '/ok']);
    expect(seen[seen.length - 1]!.headers.referer).toBe(`http://${ip}:${port}/redirect-local`);
  });

  it('a redirect to another host is not followed: a success with a warning', async () => {
    const outcome = await doHTTPProbe(request({ path: '/redirect-away' }), 1000);
    expect(outcome).toEqual({ result: 'warning', output: 'Probe terminated redirects, Response body: moved away', statusCode: 302 });
    expect(otherHits).toBe(0);
  });

  it('stops after 10 redirects', async () => {
    const before = since();
    expect(await doHTTPProbe(request({ path: '/loop' }), 2000)).toEqual({ result: 'failure', output: 'Get "/loop": stopped after 10 redirects' });
    expect(since() - before).toBe(10);
  });

  it('reads at most 10 KiB of a body', async () => {
    const outcome = await doHTTPProbe(request({ path: '/big' }), 1000);
    expect(outcome.result).toBe('success');
    expect(outcome.output).toHaveLength(10 * 1024);
  });

  it('resolves a named port and sends the probe headers, user agent and Accept', async () => {
    const req = newRequestForHTTPGetAction({ port: 'http', path: '/ok', httpHeaders: [{ name: 'x-custom', value: 'yes' }, { name: 'Host', value: 'example.test' }] }, container, ip);
    expect(req.url.href).toBe(`http://${ip}:${port}/ok`);
    expect((await doHTTPProbe(req, 1000)).result).toBe('success');
    const { headers } = seen[seen.length - 1]!;
    expect(headers['user-agent']).toBe('kube-probe/1.32');
    expect(headers.accept).toBe('*/*');
    expect(headers['x-custom']).toBe('yes');
    expect(headers.host).toBe('example.test');
  });

  it('an httpHeaders User-Agent replaces kube-probe\'s; an empty Accept removes it', async () => {
    const req = request({ path: '/ok', httpHeaders: [{ name: 'user-agent', value: 'mine' }, { name: 'Accept', value: '' }] });
    await doHTTPProbe(req, 1000);
    const { headers } = seen[seen.length - 1]!;
    expect(headers['user-agent']).toBe('mine');
    expect(headers.accept).toBeUndefined();
  });

  it('HTTPS against a plain HTTP server fails as Go says it', async () => {
    const outcome = await doHTTPProbe(request({ path: '/ok', scheme: 'HTTPS' }), 1000);
    expect(outcome).toEqual({ result: 'failure', output: `Get "https://${ip}:${port}/ok": http: server gave HTTP response to HTTPS client` });
  });

  it('an unknown named port makes the request builder throw (the probe errors)', () => {
    expect(() => request({ port: 'metrics' })).toThrow('strconv.Atoi: parsing "metrics": invalid syntax');
    expect(() => request({ port: 70000 })).toThrow('invalid port number: 70000');
  });

  it('HTTPS does not check the certificate (a self-signed one is fine)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-tls-'));
    try {
      const key = path.join(dir, 'key.pem');
      const cert = path.join(dir, 'cert.pem');
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=nobody'], { stdio: 'ignore' });
      const tls = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (_req, res) => res.end('secure'));
      const tlsPort = await listen(tls, ip);
      try {
        expect(await doHTTPProbe(request({ path: '/', port: tlsPort, scheme: 'HTTPS' }), 2000)).toEqual({ result: 'success', output: 'secure', statusCode: 200 });
      } finally {
        await new Promise((resolve) => tls.close(resolve));
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
