import { waitFor } from '@kubelab/component-base';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, httpRequest, killAll, startImage } from '../testing/harness';

beforeAll(() => ensureBuilt(), 120_000);
afterEach(() => killAll());

describe('blux2/delayfailserver:1.1', () => {
  it('answers /healthz with 200 first, then 503 once its healthy time is over; / keeps answering', async () => {
    const started = Date.now();
    const server = await startImage('blux2/delayfailserver:1.1', { port: 8080, env: { KUBELAB_DELAYFAIL_SECONDS: '1' } });
    const base = `http://${server.ip}:8080`;
    expect((await httpRequest(`${base}/healthz`)).status).toBe(200);
    await waitFor(async () => (await httpRequest(`${base}/healthz`)).status === 503, { timeoutMs: 5000, intervalMs: 100, what: '/healthz to fail' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(await httpRequest(`${base}/healthz`)).toMatchObject({ status: 503, body: 'Service Unhealthy' });
    expect((await httpRequest(`${base}/`)).status).toBe(200);

    expect((await server.stop()).code).toBe(2);
    const lines = server.stderr().trim().split('\n');
    expect(lines[0]).toMatch(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} Starting server\.\.\.$/);
    expect(lines[1]).toMatch(/ Health Check: OK$/);
    expect(lines.at(-1)).toMatch(/ Error: Service Unhealthy$/);
  });

  it('stays healthy for 10 seconds without the test variable', async () => {
    const server = await startImage('blux2/delayfailserver:1.1', { port: 8080 });
    expect((await httpRequest(`http://${server.ip}:8080/healthz`)).status).toBe(200);
    // 1.5 s in, a 1-second default would already fail.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await httpRequest(`http://${server.ip}:8080/healthz`)).status).toBe(200);
  });
});
