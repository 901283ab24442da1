import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, httpRequest, killAll, rssBytes, startImage } from '../testing/harness';

beforeAll(() => ensureBuilt(), 120_000);
afterEach(() => killAll());

const MiB = 1024 * 1024;

/** Every node program: reference, port, and a path that answers 200 there. */
const NODE_PROGRAMS: Array<[string, number, string | undefined]> = [
  ['nginx', 80, '/'],
  ['blux2/hello-server:1.7', 8080, '/healthz'],
  ['blux2/delayfailserver:1.1', 8080, '/healthz'],
  ['kurokobo/p4app:0.0.1', 8080, undefined],
  ['redis:7', 6379, undefined],
  ['gcr.io/google-samples/hello-app:1.0', 8080, '/'],
];

describe('every node program', () => {
  it('listens quickly, stays small at idle, and exits promptly on SIGTERM', async () => {
    const rows: string[] = [];
    for (const [reference, port, path] of NODE_PROGRAMS) {
      const times: number[] = [];
      let idleRss = 0;
      let stopMs = 0;
      for (let attempt = 0; attempt < 3; attempt++) {
        const image = await startImage(reference, { port });
        times.push(image.timeToListenMs);
        if (path) expect((await httpRequest(`http://${image.ip}:${port}${path}`)).status).toBe(200);
        idleRss = Math.max(idleRss, rssBytes(image.pid));
        const stopped = await image.stop();
        expect(stopped.ms).toBeLessThan(1000);
        expect(stopped.signal).toBeNull();
        stopMs = Math.max(stopMs, stopped.ms);
      }
      times.sort((a, b) => a - b);
      rows.push(`${reference.padEnd(38)} listen ${times.map((t) => t.toFixed(0).padStart(4)).join(' ')} ms   RSS ${(idleRss / MiB).toFixed(1)} MiB   SIGTERM->exit <= ${stopMs.toFixed(0)} ms`);
      expect(times[1]).toBeLessThan(1500);
      expect(idleRss).toBeLessThan(80 * MiB);
    }
    console.log(`time to listen (3 starts, sorted) and idle RSS:\n${rows.join('\n')}`);
  });
});

describe('registry.k8s.io/pause', () => {
  it('is a native sleeper: small, and gone at once on SIGTERM', async () => {
    const pause = await startImage('registry.k8s.io/pause:3.10');
    await new Promise((resolve) => setImmediate(resolve));
    expect(rssBytes(pause.pid)).toBeLessThan(8 * MiB);
    const stopped = await pause.stop();
    expect(stopped.ms).toBeLessThan(1000);
    console.log(`pause: RSS measured under 8 MiB; exit on SIGTERM: code ${stopped.code} signal ${stopped.signal}`);
  });
});

describe('blux2/hello-server 1.6 and 1.8', () => {
  it('are native (busybox httpd): listening within milliseconds, about 2 MiB resident, gone at once on SIGTERM', async () => {
    const times: number[] = [];
    for (const reference of ['blux2/hello-server:1.6', 'blux2/hello-server:1.8', 'blux2/hello-server:1.8']) {
      const server = await startImage(reference, { port: 8080 });
      times.push(server.timeToListenMs);
      expect((await httpRequest(`http://${server.ip}:8080/healthz`)).status).toBe(200);
      expect(rssBytes(server.pid)).toBeLessThan(4 * MiB);
      expect((await server.stop()).ms).toBeLessThan(1000);
    }
    times.sort((a, b) => a - b);
    expect(times[1]).toBeLessThan(200);
    console.log(`hello-server (native) time to listen: ${times.map((t) => t.toFixed(1)).join(' ')} ms`);
  });
});

describe('gcr.io/google-samples/hello-app', () => {
  it('answers with its version and hostname', async () => {
    const app = await startImage('gcr.io/google-samples/hello-app:2.0', { port: 8080, env: { HOSTNAME: 'hello-app-1' } });
    expect((await httpRequest(`http://${app.ip}:8080/`)).body).toBe('Hello, world!\nVersion: 2.0.0\nHostname: hello-app-1\n');
    expect((await app.stop()).code).toBe(2);
    expect(app.stderr()).toMatch(/Server listening on port 8080\n.* Serving request: \/\n/);
  });
});
