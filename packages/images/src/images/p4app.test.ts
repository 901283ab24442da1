import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type TestDnsServer } from '../testing/dns-server';
import { ensureBuilt, httpRequest, killAll, randomIP, startImage, type RunningImage } from '../testing/harness';

let redis: RunningImage;

beforeAll(async () => {
  ensureBuilt();
  redis = await startImage('redis:6.0', { port: 6379 });
}, 120_000);
afterAll(() => killAll());

const counterOf = (body: string): string | undefined => /^<p class="counter">Counter: (.*)<\/p>$/m.exec(body)?.[1];

describe('kurokobo/p4app:0.0.1', () => {
  let p4app: RunningImage | undefined;
  afterEach(async () => {
    await p4app?.stop();
    p4app = undefined;
  });

  it('counts visits in redis (REDIS_HOST) and says which pod served the page', async () => {
    p4app = await startImage('kurokobo/p4app:0.0.1', { port: 8080, env: { REDIS_HOST: redis.ip, HOSTNAME: 'p4app-7d4b9c6f8-x2k9q' } });
    const counts: string[] = [];
    for (let i = 0; i < 3; i++) {
      const page = await httpRequest(`http://${p4app.ip}:8080/`);
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.body).toContain('Served by: p4app-7d4b9c6f8-x2k9q');
      expect(page.body).toContain("Here I'm having fun with Containers.");
      counts.push(counterOf(page.body)!);
    }
    expect(counts).toEqual(['1', '2', '3']);
    expect((await httpRequest(`http://${p4app.ip}:8080/static/nope`)).status).toBe(404);
    const stopped = await p4app.stop();
    expect(stopped.code).toBe(0);
    expect(p4app.stdout()).toContain(' * Serving Flask app "app" (lazy loading)\n');
    expect(p4app.stderr()).toContain(` * Running on http://${p4app.ip}:8080/ (Press CTRL+C to quit)\n`);
    expect(p4app.stderr()).toMatch(/^127\.0\.0\.1 - - \[\d{2}\/[A-Z][a-z]{2}\/\d{4} \d{2}:\d{2}:\d{2}\] "GET \/ HTTP\/1\.1" 200 -$/m);
  });

  it('finds redis by its Service name through the cluster DNS server (and ignores a Service link REDIS_PORT)', async () => {
    const dns: TestDnsServer = await startDnsServer(randomIP(), { 'redis.default.svc.cluster.local': redis.ip });
    try {
      p4app = await startImage('kurokobo/p4app:0.0.1', {
        port: 8080,
        env: {
          KUBELAB_NAMESERVER: dns.nameserver,
          KUBELAB_DNS_SEARCH: 'default.svc.cluster.local svc.cluster.local cluster.local',
          REDIS_PORT: `tcp://${redis.ip}:6379`,
          MESSAGE: 'Hello from kubelab!',
        },
      });
      const first = Number(counterOf((await httpRequest(`http://${p4app.ip}:8080/`)).body));
      const second = await httpRequest(`http://${p4app.ip}:8080/`);
      expect(Number(counterOf(second.body))).toBe(first + 1);
      expect(second.body).toContain('Hello from kubelab!');
      expect(dns.queries).toContain('redis.default.svc.cluster.local');
    } finally {
      await dns.close();
    }
  });

  it('says so when redis cannot be reached, and still serves the page (DB_HOST / DB_PORT)', async () => {
    const nowhere = randomIP();
    p4app = await startImage('kurokobo/p4app:0.0.1', { port: 8080, env: { DB_HOST: nowhere, DB_PORT: '6380', HOSTNAME: 'p4app-1' } });
    const page = await httpRequest(`http://${p4app.ip}:8080/`);
    expect(page.status).toBe(200);
    expect(counterOf(page.body)).toBe(`unavailable (Error 111 connecting to ${nowhere}:6380. Connection refused.)`);
    expect(page.body).toContain('Served by: p4app-1');
  });

  it('listens on APP_PORT', async () => {
    p4app = await startImage('kurokobo/p4app:0.0.1', { port: 9090, env: { APP_PORT: '9090', REDIS_HOST: redis.ip } });
    expect((await httpRequest(`http://${p4app.ip}:9090/`)).status).toBe(200);
  });
});
