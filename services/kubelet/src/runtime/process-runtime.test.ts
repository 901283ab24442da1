import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '@kubelab/client';
import { waitFor } from '@kubelab/component-base';
import { exited, readAll, RuntimeHarness, testContainer, testPod } from './testdata/harness';
import { ContainerStartError, ImagePullError, type ContainerStatus } from './types';

const harness = new RuntimeHarness();
afterEach(() => harness.cleanup());

describe('ProcessRuntime: start and exit', () => {
  it.each([
    { script: 'exit 0', exitCode: 0, reason: 'Completed' },
    { script: 'exit 3', exitCode: 3, reason: 'Error' },
    { script: 'kill -USR1 $$', exitCode: 128 + 10, reason: 'Error' },
  ])('`sh -c "$script"` ends with $exitCode ($reason)', async ({ script, exitCode, reason }) => {
    const runtime = harness.runtime();
    const seen: ContainerStatus[] = [];
    runtime.onContainerExit((s) => seen.push(s));
    const started = await runtime.startContainer(testPod('exits'), testContainer('main', 'busybox', { command: ['sh', '-c', script] }));
    expect(started).toMatchObject({ state: 'running', name: 'main', attempt: 0, image: 'busybox' });
    expect(started.id).toMatch(/^kubelab:\/\/[0-9a-f]{64}$/);
    const status = await exited(runtime, started.id);
    expect(status).toMatchObject({ state: 'exited', exitCode, reason });
    expect(status.finishedAt!.getTime()).toBeGreaterThanOrEqual(status.startedAt!.getTime());
    expect(seen.map((s) => [s.id, s.exitCode])).toEqual([[started.id, exitCode]]);
  });

  it('command replaces the entrypoint and args the cmd', async () => {
    const runtime = harness.runtime();
    const c = await runtime.startContainer(testPod('argv'), testContainer('main', 'busybox', { command: ['sh', '-c', 'echo "$0 $1"', 'first', 'second'] }));
    await exited(runtime, c.id);
    expect(await readAll(runtime.readLogs(c.id, {}, new AbortController().signal))).toBe('first second\n');
    // Without a command, the image's entrypoint (none) and cmd (sh) run, with the given args instead of the cmd.
    const d = await runtime.startContainer(testPod('args'), testContainer('main', 'busybox', { args: ['echo', 'from', 'args'] }));
    await exited(runtime, d.id);
    expect(await readAll(runtime.readLogs(d.id, {}, new AbortController().signal))).toBe('from args\n');
  });

  it('gets exactly the given env, and a PATH with busybox applets first', async () => {
    const runtime = harness.runtime();
    const c = await runtime.startContainer(testPod('env'), testContainer('main', 'busybox', { command: ['env'], env: { GREETING: 'hi' } }));
    await exited(runtime, c.id);
    const env = (await readAll(runtime.readLogs(c.id, {}, new AbortController().signal))).trim().split('\n').sort();
    // The shim (a busybox sh) adds nothing of its own.
    expect(env.map((line) => line.split('=')[0])).toEqual(['GREETING', 'PATH']);
    expect(env.find((l) => l.startsWith('PATH='))).toMatch(/^PATH=\/.*\/bin:\/usr\/local\/sbin:/);
  });

  it('a command that does not exist fails to start with containerd\'s message', async () => {
    const runtime = harness.runtime();
    const start = runtime.startContainer(testPod('nocmd'), testContainer('main', 'busybox', { command: ['no-such-program'] }));
    await expect(start).rejects.toBeInstanceOf(ContainerStartError);
    await expect(start).rejects.toMatchObject({
      reason: 'StartError',
      exitCode: 128,
      message:
        'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "no-such-program": executable file not found in $PATH: unknown',
    });
    expect(runtime.listContainers()).toEqual([]);
  });

  it('a working directory that does not exist fails to start', async () => {
    const runtime = harness.runtime();
    await expect(runtime.startContainer(testPod('cwd'), testContainer('main', 'busybox', { command: ['pwd'], workingDir: '/no/such/dir' }))).rejects.toThrow(
      /chdir to cwd \("\/no\/such\/dir"\) set in config.json failed/,
    );
  });

  it('runs in its working directory', async () => {
    const runtime = harness.runtime();
    const c = await runtime.startContainer(testPod('cwd'), testContainer('main', 'busybox', { command: ['pwd'], workingDir: '/tmp' }));
    await exited(runtime, c.id);
    expect(await readAll(runtime.readLogs(c.id, {}, new AbortController().signal))).toBe('/tmp\n');
  });
});

describe('ProcessRuntime: images', () => {
  it('pulls from the catalogue: not present the first time, present afterwards (also for a new runtime on the same root dir)', async () => {
    const rootDir = harness.newRootDir();
    const runtime = harness.runtime({ rootDir });
    const first = await runtime.pullImage('busybox');
    expect(first).toMatchObject({ reference: 'docker.io/library/busybox:latest', alreadyPresent: false, sizeBytes: 2_000_000 });
    expect(first.durationMs).toBeGreaterThanOrEqual(0);
    expect((await runtime.pullImage('busybox')).alreadyPresent).toBe(true);
    expect((await harness.runtime({ rootDir }).pullImage('busybox')).alreadyPresent).toBe(true);
  });

  it('an unknown image fails with ErrImagePull', async () => {
    const runtime = harness.runtime();
    const pull = runtime.pullImage('no-such-image:1.0');
    await expect(pull).rejects.toBeInstanceOf(ImagePullError);
    await expect(pull).rejects.toMatchObject({ reason: 'ErrImagePull', message: expect.stringContaining('no-such-image') });
  });
});

describe('ProcessRuntime: stop and remove', () => {
  it('stops a container that handles SIGTERM within its grace period', async () => {
    const runtime = harness.runtime();
    const c = await runtime.startContainer(
      testPod('graceful'),
      testContainer('main', 'busybox', { command: ['sh', '-c', 'trap "echo bye; exit 0" TERM; echo ready; while true; do sleep 0.05; done'] }),
    );
    await waitFor(async () => (await readAll(runtime.readLogs(c.id, {}, new AbortController().signal))) === 'ready\n', { what: 'ready' });
    await runtime.stopContainer(c.id, 30);
    expect(runtime.getContainer(c.id)).toMatchObject({ state: 'exited', exitCode: 0, reason: 'Completed' });
    expect(await readAll(runtime.readLogs(c.id, {}, new AbortController().signal))).toBe('ready\nbye\n');
  });

  it('SIGKILLs a container that ignores SIGTERM once the grace period is over (137)', async () => {
    const clock = new FakeClock(Date.now());
    const runtime = harness.runtime({ clock });
    const c = await runtime.startContainer(
      testPod('stubborn'),
      testContainer('main', 'busybox', { command: ['sh', '-c', 'trap "" TERM; echo ready; while true; do sleep 1; done'] }),
    );
    await waitFor(async () => (await readAll(runtime.readLogs(c.id, {}, new AbortController().signal))) === 'ready\n', { what: 'ready' });
    let stopped = false;
    const stop = runtime.stopContainer(c.id, 30).then(() => (stopped = true));
    // SIGTERM is ignored: still running while the grace period lasts.
    await clock.advance(29_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(stopped).toBe(false);
    expect(runtime.getContainer(c.id)?.state).toBe('running');
    await clock.advance(1_000);
    await stop;
    expect(runtime.getContainer(c.id)).toMatchObject({ state: 'exited', exitCode: 137, reason: 'Error' });
  });

  it('removes a container: its record, files and log', async () => {
    const runtime = harness.runtime();
    const c = await runtime.startContainer(testPod('rm'), testContainer('main', 'busybox', { command: ['sleep', '30'] }));
    await runtime.removeContainer(c.id);
    expect(runtime.getContainer(c.id)).toBeUndefined();
    expect(fs.existsSync(c.logPath)).toBe(false);
    expect(fs.existsSync(path.dirname(c.logPath))).toBe(false);
  });
});
