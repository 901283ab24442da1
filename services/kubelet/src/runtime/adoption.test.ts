import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { stopAllContainers } from './cleanup';
import { isAlive, readProcStat } from './proc-stat';
import { exited, readAll, RuntimeHarness, testContainer, testPod } from './testdata/harness';
import type { ContainerStatus } from './types';

const harness = new RuntimeHarness();
afterEach(() => harness.cleanup());
const never = new AbortController().signal;

describe('adoption after a kubelet restart', () => {
  it('a new runtime on the same root dir adopts a running container; its exit code is right when it exits', async () => {
    const rootDir = harness.newRootDir();
    const first = harness.runtime({ rootDir });
    const c = await first.startContainer(
      testPod('survivor'),
      testContainer('main', 'busybox', { command: ['sh', '-c', 'echo before; while [ ! -e stop ]; do sleep 0.05; done; echo after; exit 7'] }),
    );
    await waitFor(async () => (await readAll(first.readLogs(c.id, {}, never))) === 'before\n', { what: 'before' });
    await first.close();

    const second = harness.runtime({ rootDir });
    const exits: ContainerStatus[] = [];
    second.onContainerExit((s) => exits.push(s));
    const adopted = await second.adopt();
    expect(adopted).toEqual([expect.objectContaining({ id: c.id, state: 'running', pid: c.pid, name: 'main', podName: 'survivor' })]);
    expect(second.stats(c.id)).toBeDefined();

    // The container writes while adopted; then it exits with 7.
    fs.writeFileSync(path.join(rootDir, 'containers', c.id.slice('kubelab://'.length), 'rootfs', 'stop'), '');
    const status = await exited(second, c.id);
    expect(status).toMatchObject({ exitCode: 7, reason: 'Error' });
    expect(exits.map((s) => s.exitCode)).toEqual([7]);
    expect(await readAll(second.readLogs(c.id, {}, never))).toBe('before\nafter\n');
  });

  it('a container that exited while no kubelet ran reports its exit code and all its output', async () => {
    const rootDir = harness.newRootDir();
    const first = harness.runtime({ rootDir });
    const c = await first.startContainer(testPod('quick'), testContainer('main', 'busybox', { command: ['sh', '-c', 'sleep 0.3; echo done; exit 0'] }));
    await first.close();
    await waitFor(() => !isAlive(c.pid!, readProcStat(c.pid!)?.startTime ?? -1), { what: 'the container to exit' });

    const second = harness.runtime({ rootDir });
    const [status] = await second.adopt();
    expect(status).toMatchObject({ id: c.id, state: 'exited', exitCode: 0, reason: 'Completed' });
    expect(status!.finishedAt!.getTime()).toBeGreaterThan(status!.startedAt!.getTime());
    expect(await readAll(second.readLogs(c.id, {}, never))).toBe('done\n');
  });

  it('an adopted container can be stopped (SIGKILL after its grace period)', async () => {
    const rootDir = harness.newRootDir();
    const first = harness.runtime({ rootDir });
    const c = await first.startContainer(testPod('stubborn'), testContainer('main', 'busybox', { command: ['sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 1; done'] }));
    // Only once the trap is set does SIGTERM go unheeded.
    await waitFor(async () => (await readAll(first.readLogs(c.id, {}, never))) === 'ready\n', { what: 'ready' });
    await first.close();
    const second = harness.runtime({ rootDir });
    await second.adopt();
    await second.stopContainer(c.id, 0.2);
    expect(second.getContainer(c.id)).toMatchObject({ state: 'exited', exitCode: 137 });
  });
});

describe('stopAllContainers (kubelab down)', () => {
  it('SIGKILLs every recorded live container and its children', async () => {
    const rootDir = harness.newRootDir();
    const runtime = harness.runtime({ rootDir });
    const a = await runtime.startContainer(testPod('a'), testContainer('main', 'busybox', { command: ['sh', '-c', 'sleep 60 & sleep 60; wait'] }));
    const b = await runtime.startContainer(testPod('b'), testContainer('main', 'busybox', { command: ['sleep', '60'] }));
    const done = await runtime.startContainer(testPod('c'), testContainer('main', 'busybox', { command: ['true'] }));
    await exited(runtime, done.id);
    await runtime.close();
    const shims = [a, b].map((c) => ({ pid: c.pid!, startTime: readProcStat(c.pid!)!.startTime }));

    expect(await stopAllContainers(rootDir)).toBe(2);
    await waitFor(() => shims.every((s) => !isAlive(s.pid, s.startTime)), { what: 'the containers to die' });
    // No process of theirs is left in their sessions.
    await waitFor(
      () =>
        fs
          .readdirSync('/proc')
          .filter((n) => /^\d+$/.test(n))
          .map((n) => readProcStat(Number(n)))
          .every((s) => !s || s.state === 'Z' || !shims.some((shim) => s.session === shim.pid)),
      { what: 'their children to die' },
    );
    const next = harness.runtime({ rootDir });
    const statuses = await next.adopt();
    expect(statuses.find((s) => s.id === a.id)).toMatchObject({ state: 'exited', exitCode: 137 });
    expect(await stopAllContainers(rootDir)).toBe(0);
  });
});
