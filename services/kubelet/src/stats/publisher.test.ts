import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, StringCodec, type NatsConnection } from 'nats';
import { FakeClock } from '@kubelab/client';
import { connectNats, createLogger, waitFor, type NatsLink } from '@kubelab/component-base';
import { freePort } from '@kubelab/testkit';
import type { ContainerStats } from '../runtime/types';
import { StatsPublisher, type RunningPod } from './publisher';
import { STATS_SUBJECT, type NodeStatsSample } from './types';

const log = createLogger('kubelet', 'silent');
const START = Date.parse('2025-03-01T10:00:00Z');

/** A runtime that knows the stats of three containers (the third is not running: no stats). */
function fakeRuntime(): { stats(id: string): ContainerStats | undefined } {
  const table: Record<string, ContainerStats> = {
    'kubelab://aaa': { cpuUsageNanoCores: 5_000_000, cpuUsageCoreNanoSeconds: 2_000_000_000, memoryWorkingSetBytes: 10 * 1024 * 1024, timestamp: new Date(START) },
    'kubelab://bbb': { cpuUsageNanoCores: 1_500_000.4, cpuUsageCoreNanoSeconds: 500_000_000, memoryWorkingSetBytes: 3 * 1024 * 1024, timestamp: new Date(START) },
  };
  return { stats: (id) => table[id] };
}

const pods: RunningPod[] = [
  { namespace: 'default', name: 'web-1', uid: 'uid-1', containers: [{ name: 'nginx', id: 'kubelab://aaa' }, { name: 'sidecar', id: 'kubelab://bbb' }] },
  { namespace: 'default', name: 'gone', uid: 'uid-2', containers: [{ name: 'c', id: 'kubelab://ccc' }] },
];

describe('StatsPublisher', () => {
  it('samples each running container and sums the node with the kubelet itself', async () => {
    const clock = new FakeClock(START);
    let cpuMicros = 1_000_000;
    const publisher = new StatsPublisher({ nats: undefined, nodeName: 'worker-1', runtime: fakeRuntime(), pods: () => pods, intervalMs: 1_000, clock, log, selfUsage: () => ({ cpuMicros, rssBytes: 40 * 1024 * 1024 }) });
    expect(publisher.sample()).toMatchObject({ node: 'worker-1', pods: [], cpu: { usageNanoCores: 0 } });
    publisher.start();
    cpuMicros += 20_000; // 20 ms of CPU over the 1 s window: 0.02 cores
    await clock.advance(1_000);
    const sample = publisher.sample();
    expect(sample).toEqual({
      node: 'worker-1',
      timestamp: '2025-03-01T10:00:01.000Z',
      window: 1,
      cpu: { usageNanoCores: 5_000_000 + 1_500_000 + 20_000_000, usageCoreNanoSeconds: 2_500_000_000 + 1_020_000_000 },
      memory: { workingSetBytes: (10 + 3 + 40) * 1024 * 1024 },
      pods: [
        {
          namespace: 'default',
          name: 'web-1',
          uid: 'uid-1',
          containers: [
            { name: 'nginx', cpu: { usageNanoCores: 5_000_000, usageCoreNanoSeconds: 2_000_000_000 }, memory: { workingSetBytes: 10 * 1024 * 1024 } },
            { name: 'sidecar', cpu: { usageNanoCores: 1_500_000, usageCoreNanoSeconds: 500_000_000 }, memory: { workingSetBytes: 3 * 1024 * 1024 } },
          ],
        },
      ],
    });
    // Every interval, a new sample.
    await clock.advance(1_000);
    expect(publisher.sample().timestamp).toBe('2025-03-01T10:00:02.000Z');
    expect(publisher.sample().cpu.usageNanoCores).toBe(6_500_000);
    publisher.stop();
    await clock.advance(5_000);
    expect(publisher.sample().timestamp).toBe('2025-03-01T10:00:02.000Z');
  });

  describe('on NATS', () => {
    const natsServer = findExecutable('nats-server');
    let child: ChildProcess | undefined;
    let url = '';
    let subscriber: NatsConnection | undefined;
    let link: NatsLink | undefined;

    beforeAll(async () => {
      if (!natsServer) return;
      const port = await freePort();
      url = `nats://127.0.0.1:${port}`;
      child = spawn(natsServer, ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
      subscriber = await waitFor(() => connect({ servers: url }).catch(() => undefined), { timeoutMs: 10_000, what: 'nats-server' });
    });

    afterAll(async () => {
      await link?.close();
      await subscriber?.close();
      if (child && child.exitCode === null) {
        const exited = new Promise((resolve) => child!.once('exit', resolve));
        child.kill();
        await exited;
      }
    });

    it.skipIf(!natsServer)('publishes each sample as JSON on kubelab.stats.<node> (needs nats-server on PATH or in /usr/sbin)', async () => {
      const codec = StringCodec();
      const received: NodeStatsSample[] = [];
      const subscription = subscriber!.subscribe(STATS_SUBJECT('worker-1'));
      void (async () => {
        for await (const message of subscription) received.push(JSON.parse(codec.decode(message.data)) as NodeStatsSample);
      })();
      await subscriber!.flush();
      link = connectNats(url, log, () => ({ component: 'kubelet' }));
      await waitFor(() => link!.connected, { what: 'the kubelet link to NATS' });
      const publisher = new StatsPublisher({ nats: link, nodeName: 'worker-1', runtime: fakeRuntime(), pods: () => pods, intervalMs: 1_000, log, selfUsage: () => ({ cpuMicros: 0, rssBytes: 1 }) });
      const sample = publisher.collect();
      await waitFor(() => received.length === 1, { what: 'the sample on NATS' });
      expect(received[0]).toEqual(sample);
      expect(received[0]!.pods[0]!.containers.map((c) => c.name)).toEqual(['nginx', 'sidecar']);
    });
  });
});

function findExecutable(name: string): string | undefined {
  for (const dir of [...(process.env['PATH'] ?? '').split(':'), '/usr/sbin', '/usr/local/sbin']) {
    if (dir && fs.existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  console.warn(`${name} is not installed: the NATS publishing test is skipped`);
  return undefined;
}
