import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { exited, RuntimeHarness, testContainer, testPod } from './testdata/harness';

const harness = new RuntimeHarness();
afterEach(() => harness.cleanup());
const Mi = 1024 * 1024;

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.setTimeout(2_000, () => req.destroy(new Error('timeout')));
  });
}

describe('images from @kubelab/images (the default catalogue)', () => {
  it('hello-server:1.6 idles under a 10Mi limit; 1.7 keeps 5 MiB per request and is OOMKilled at 100Mi', async () => {
    const runtime = harness.runtime({ catalogue: true, housekeepingIntervalMs: 50 });
    const pulled = await runtime.pullImage('blux2/hello-server:1.6');
    expect(pulled).toMatchObject({ reference: 'docker.io/blux2/hello-server:1.6', alreadyPresent: false });

    const idlePod = testPod('hello-idle');
    const idle = await runtime.startContainer(idlePod, testContainer('hello', 'blux2/hello-server:1.6', { env: { KUBELAB_POD_IP: idlePod.ip }, memoryLimitBytes: 10 * Mi }));
    await waitFor(() => get(`http://${idlePod.ip}:8080/`).then((code) => code === 200), { what: 'hello-server 1.6 to answer' });

    const leakyPod = testPod('hello-leaky');
    const leaky = await runtime.startContainer(leakyPod, testContainer('hello', 'blux2/hello-server:1.7', { env: { KUBELAB_POD_IP: leakyPod.ip }, memoryLimitBytes: 100 * Mi }));
    await waitFor(() => get(`http://${leakyPod.ip}:8080/health`).then((code) => code === 200), { what: 'hello-server 1.7 to answer' });
    let served = 0;
    while (runtime.getContainer(leaky.id)?.state === 'running' && served < 60) {
      try {
        await get(`http://${leakyPod.ip}:8080/`);
        served++;
      } catch {
        break;
      }
    }
    const status = await exited(runtime, leaky.id);
    expect(status).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
    console.log(`hello-server 1.7 served ${served} requests before OOMKilled; 1.6 idle charged ${(runtime.stats(idle.id)!.memoryWorkingSetBytes / Mi).toFixed(2)} MiB`);
    expect(served).toBeGreaterThanOrEqual(12);

    // Meanwhile the idle 1.6 kept running under its 10Mi limit.
    expect(runtime.getContainer(idle.id)?.state).toBe('running');
    expect(runtime.stats(idle.id)!.memoryWorkingSetBytes).toBeLessThan(10 * Mi);
  });

  it('an image the catalogue does not have fails with its pull message', async () => {
    const runtime = harness.runtime({ catalogue: true });
    await expect(runtime.pullImage('no-such/image:1')).rejects.toMatchObject({
      reason: 'ErrImagePull',
      message: expect.stringMatching(/^rpc error: code = .* desc = failed to pull and unpack image "docker.io\/no-such\/image:1"/),
    });
  });
});
