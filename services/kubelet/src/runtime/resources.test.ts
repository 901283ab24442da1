import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { nodeBaselineBytes } from './node-baseline';
import { exited, readAll, RuntimeHarness, testContainer, testPod } from './testdata/harness';
import type { ContainerRuntime, ContainerStats } from './types';

const harness = new RuntimeHarness();
afterEach(() => harness.cleanup());

const Mi = 1024 * 1024;

/** The stats of a container once at least `ms` of measurements have been taken. */
async function statsAfter(runtime: ContainerRuntime, id: string, ms: number): Promise<ContainerStats> {
  const first = await waitFor(() => runtime.stats(id), { what: 'a first measurement' });
  return waitFor(
    () => {
      const s = runtime.stats(id);
      return s && s.timestamp.getTime() - first.timestamp.getTime() >= ms ? s : undefined;
    },
    { timeoutMs: ms + 5_000, what: `${ms} ms of measurements` },
  );
}

describe('memory', () => {
  it('the Node.js baseline is measured once (tens of MB)', async () => {
    const baseline = await nodeBaselineBytes();
    expect(baseline).toBeGreaterThan(20 * Mi);
    expect(baseline).toBeLessThan(120 * Mi);
    expect(await nodeBaselineBytes()).toBe(baseline);
  });

  it('an idle Node.js server is not charged the runtime baseline: it runs under a 10Mi limit', async () => {
    const runtime = harness.runtime({ housekeepingIntervalMs: 50 });
    const c = await runtime.startContainer(testPod('idle'), testContainer('web', 'hello-server', { memoryLimitBytes: 10 * Mi }));
    const stats = await statsAfter(runtime, c.id, 1_000);
    expect(runtime.getContainer(c.id)?.state).toBe('running');
    expect(stats.memoryWorkingSetBytes).toBeGreaterThan(0);
    expect(stats.memoryWorkingSetBytes).toBeLessThan(10 * Mi);
  });

  it('forked processes are charged what they share once: a shell with twelve children runs under a 10Mi limit', async () => {
    const runtime = harness.runtime({ housekeepingIntervalMs: 50 });
    // As busybox httpd forks per connection: each child maps the same busybox and libc as its parent.
    const script = 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do sleep 600 & done; echo started; wait';
    const c = await runtime.startContainer(testPod('forks'), testContainer('sh', 'busybox', { command: ['sh', '-c', script], memoryLimitBytes: 10 * Mi }));
    await waitFor(async () => (await readAll(runtime.readLogs(c.id, {}, new AbortController().signal))).includes('started'), { what: 'the twelve children running' });
    // Measured after the children started (the first measurement may come before).
    const stats = await statsAfter(runtime, c.id, 500);
    expect(runtime.getContainer(c.id)?.state).toBe('running');
    expect(stats.memoryWorkingSetBytes).toBeGreaterThan(0);
    expect(stats.memoryWorkingSetBytes).toBeLessThan(10 * Mi);
  });

  it('a program that keeps 5 MiB at a time is OOMKilled at its 100Mi limit (137)', async () => {
    const runtime = harness.runtime({ housekeepingIntervalMs: 50 });
    const c = await runtime.startContainer(testPod('leaky'), testContainer('leak', 'leak', { memoryLimitBytes: 100 * Mi }));
    const status = await exited(runtime, c.id);
    expect(status).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
    // It got near the limit before it was killed, not killed at start-up.
    const log = await (async () => {
      const parts: Buffer[] = [];
      for await (const p of runtime.readLogs(c.id, { tailLines: 1 }, new AbortController().signal)) parts.push(p);
      return Buffer.concat(parts).toString();
    })();
    const kept = Number(/kept (\d+) MiB/.exec(log)?.[1]);
    expect(kept).toBeGreaterThanOrEqual(80);
    expect(kept).toBeLessThan(160);
  });
});

describe('cpu', () => {
  it('a busy loop limited to 200m is throttled to about 200m', async () => {
    const runtime = harness.runtime({ housekeepingIntervalMs: 100 });
    const c = await runtime.startContainer(testPod('busy'), testContainer('spin', 'busybox', { command: ['sh', '-c', 'while :; do :; done'], cpuLimitMillis: 200 }));
    // Let the throttle engage, then measure over two seconds.
    const start = await statsAfter(runtime, c.id, 500);
    const end = await waitFor(
      () => {
        const s = runtime.stats(c.id);
        return s && s.timestamp.getTime() - start.timestamp.getTime() >= 2_000 ? s : undefined;
      },
      { timeoutMs: 8_000, what: 'two more seconds of measurements' },
    );
    const millicores = ((end.cpuUsageCoreNanoSeconds - start.cpuUsageCoreNanoSeconds) / (end.timestamp.getTime() - start.timestamp.getTime()) / 1e6) * 1000;
    console.log(`busy loop limited to 200m measured ${Math.round(millicores)}m`);
    expect(millicores).toBeGreaterThan(140);
    expect(millicores).toBeLessThan(260);
    expect(end.cpuUsageNanoCores / 1e6).toBeGreaterThan(100);
    expect(end.cpuUsageNanoCores / 1e6).toBeLessThan(320);
  });

  it('measures the CPU of the whole process tree, children included', async () => {
    const runtime = harness.runtime({ housekeepingIntervalMs: 100 });
    // The work happens in short-lived children of the shell (each `expr` is a process).
    const c = await runtime.startContainer(
      testPod('forks'),
      testContainer('spin', 'busybox', { command: ['sh', '-c', 'while :; do expr 1 + 1 >/dev/null; done'] }),
    );
    const first = await statsAfter(runtime, c.id, 300);
    const later = await statsAfter(runtime, c.id, 1_300);
    expect(later.cpuUsageCoreNanoSeconds).toBeGreaterThan(first.cpuUsageCoreNanoSeconds + 50e6);
    expect(later.cpuUsageNanoCores).toBeGreaterThan(50e6);
  });
});

describe('housekeeping cadence', () => {
  it('scans once per interval while no container has a limit; every 250 ms while one has; stops without containers', async () => {
    const runtime = harness.runtime({ housekeepingIntervalMs: 1_000 });
    const free = await runtime.startContainer(testPod('free'), testContainer('box', 'busybox', { command: ['sleep', '30'] }));
    expect(runtime.housekeepingStats().tickMs).toBe(1_000);
    const limited = await runtime.startContainer(testPod('limited'), testContainer('box', 'busybox', { command: ['sleep', '30'], memoryLimitBytes: 100 * Mi }));
    expect(runtime.housekeepingStats().tickMs).toBe(250);
    // Measured between full passes: two limit checks come well within one interval.
    const first = await waitFor(() => runtime.stats(limited.id)?.timestamp.getTime(), { what: 'a first measurement' });
    await waitFor(() => (runtime.stats(limited.id)?.timestamp.getTime() ?? 0) >= first + 400, { timeoutMs: 900, what: 'a measurement 400 ms later, within one interval' });
    await runtime.stopContainer(limited.id, 0);
    await waitFor(() => runtime.housekeepingStats().tickMs === 1_000 || undefined, { what: 'back to the interval' });
    await runtime.stopContainer(free.id, 0);
    await waitFor(() => runtime.housekeepingStats().tickMs === 0 || undefined, { what: 'housekeeping stopped' });
  });
});
