import * as net from 'node:net';
import { ApiError } from '@kubelab/apimachinery';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiContainerStatus } from '../status/api-types';
import { logContainerID } from './pod-streams';
import { podWorkersEnv, type PodWorkersEnv } from './testing/harness';

let env: PodWorkersEnv | undefined;
const servers: net.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
  await env?.close();
  env = undefined;
});

async function failure(promise: Promise<unknown>): Promise<{ code: number; reason: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    const e = error as ApiError;
    return { code: e.code, reason: e.reason, message: e.message };
  }
  throw new Error('expected a failure');
}

async function read(iterable: AsyncIterable<Buffer>): Promise<string> {
  let out = '';
  for await (const chunk of iterable) out += chunk.toString();
  return out;
}

const signal = new AbortController().signal;

describe('PodStreams', () => {
  it("answers with Kubernetes' errors: pod not here, container not in the pod, no container named, no previous container", async () => {
    env = await podWorkersEnv();
    const e = env;
    await e.createPod('web-1', { containers: [{ name: 'web', image: 'nginx' }] });
    await e.createPod('two', { containers: [{ name: 'web', image: 'nginx' }, { name: 'side', image: 'busybox:1.36.1' }], initContainers: [{ name: 'setup', image: 'busybox:1.36.1' }] });
    await e.until('running', () => e.status('web-1').phase === 'Running');
    const s = e.workers.streams;
    // The kubelet's own 404s (not an API object's NotFound): the apiserver words them for kubectl.
    expect(await failure(s.logs('default', 'nope', 'web', {}, signal))).toEqual({ code: 404, reason: 'NotFound', message: 'pod "nope" does not exist' });
    expect(await failure(s.logs('other', 'web-1', 'web', {}, signal))).toMatchObject({ code: 404 });
    expect(await failure(s.logs('default', 'web-1', 'nope', {}, signal))).toEqual({ code: 400, reason: 'BadRequest', message: 'container nope is not valid for pod web-1' });
    expect((await failure(s.logs('default', 'two', '', {}, signal))).message).toBe('a container name must be specified for pod two, choose one of: [web side] or one of the init containers: [setup]');
    expect((await failure(s.logs('default', 'web-1', 'web', { previous: true }, signal))).message).toBe('previous terminated container "web" in pod "web-1" not found');
    expect(await failure(s.exec('default', 'nope', 'web', ['ls'], { stdin: false, tty: false }))).toEqual({ code: 404, reason: 'NotFound', message: 'pod does not exist' });
    expect(await failure(s.attach('default', 'nope', 'web', { stdin: false, tty: false }))).toEqual({ code: 404, reason: 'NotFound', message: 'pod does not exist' });
    expect(await failure(s.portForward('default', 'nope', 80))).toEqual({ code: 404, reason: 'NotFound', message: 'pod does not exist' });
  });

  it('exec: a command that cannot start fails in its session (after the upgrade); a container the runtime has not running, before', async () => {
    env = await podWorkersEnv();
    const e = env;
    await e.createPod('web-1', { containers: [{ name: 'web', image: 'nginx' }] });
    await e.until('running', () => e.status('web-1').phase === 'Running');
    const id = e.container('web-1', 'web').id;
    const oci = `failed to exec in container: failed to start exec "${'e'.repeat(64)}": OCI runtime exec failed: exec failed: unable to start container process: exec: "nosuchcmd": executable file not found in $PATH: unknown`;
    e.runtime.exec = () => {
      throw new Error(oci);
    };
    const session = await e.workers.streams.exec('default', 'web-1', 'web', ['nosuchcmd'], { stdin: true, tty: false });
    expect(await read(session.stdout)).toBe('');
    await expect(session.exit).rejects.toThrow(oci);
    // The runtime says the container is no longer running (the pod worker has not caught up yet).
    const known = e.runtime.getContainer(id)!;
    e.runtime.getContainer = () => ({ ...known, state: 'exited' });
    e.runtime.exec = () => {
      throw new Error('failed to exec in container: container is in CONTAINER_EXITED state');
    };
    await expect(e.workers.streams.exec('default', 'web-1', 'web', ['ls'], { stdin: false, tty: false })).rejects.toThrow('failed to exec in container: container is in CONTAINER_EXITED state');
  });

  it('logs of a container the runtime no longer has: the log opens, then says why it cannot be read', async () => {
    env = await podWorkersEnv();
    const e = env;
    await e.createPod('web-1', { containers: [{ name: 'web', image: 'nginx' }] });
    await e.until('running', () => e.status('web-1').phase === 'Running');
    const id = e.container('web-1', 'web').id;
    // Removed by the runtime (the pod worker has not caught up yet).
    e.runtime.getContainer = () => undefined;
    const log = await e.workers.streams.logs('default', 'web-1', 'web', {}, signal);
    await expect(read(log)).rejects.toThrow(`unable to retrieve container logs for ${id}`);
  });

  it('reads the current log, and --previous the one before a restart; with one container the name may be left out', async () => {
    env = await podWorkersEnv();
    const e = env;
    await e.createPod('web-1', { containers: [{ name: 'web', image: 'nginx' }] });
    await e.until('running', () => e.status('web-1').phase === 'Running');
    const first = e.container('web-1', 'web').id;
    e.runtime.logs.set(first, 'first life\n');
    e.runtime.exit(first, 1);
    await e.until('restarted', () => e.status('web-1').containerStatuses?.[0]?.restartCount === 1 && e.status('web-1').containerStatuses?.[0]?.state.running);
    const second = e.container('web-1', 'web').id;
    e.runtime.logs.set(second, 'second life\n');
    const s = e.workers.streams;
    expect(await read(await s.logs('default', 'web-1', 'web', {}, signal))).toBe('second life\n');
    expect(await read(await s.logs('default', 'web-1', '', { previous: true }, signal))).toBe('first life\n');
    const session = await s.exec('default', 'web-1', 'web', ['ls', '/'], { stdin: false, tty: false });
    expect(await read(session.stdout)).toBe(`exec ls / in ${second}\n`);
    const attached = await s.attach('default', 'web-1', 'web', { stdin: true, tty: true });
    expect(await read(attached.stdout)).toBe(`attached to ${second}\n`);
  });

  it('a container waiting for its image says why; exec needs a running container', async () => {
    env = await podWorkersEnv();
    const e = env;
    await e.createPod('typo', { containers: [{ name: 'web', image: 'nginxx' }] });
    await e.until('ErrImagePull', () => e.status('typo').containerStatuses?.[0]?.state.waiting?.reason === 'ErrImagePull');
    const s = e.workers.streams;
    expect((await failure(s.logs('default', 'typo', 'web', {}, signal))).message).toBe('container "web" in pod "typo" is waiting to start: image can\'t be pulled');
    expect(await failure(s.exec('default', 'typo', 'web', ['ls'], { stdin: false, tty: false }))).toEqual({ code: 400, reason: 'BadRequest', message: 'container not found ("web")' });
    await e.workers.idle();
    await e.clock.advance(1_000);
    await e.until('ImagePullBackOff', () => e.status('typo').containerStatuses?.[0]?.state.waiting?.reason === 'ImagePullBackOff');
    expect((await failure(s.logs('default', 'typo', 'web', {}, signal))).message).toBe('container "web" in pod "typo" is waiting to start: trying and failing to pull image');
  });

  it('port-forward connects to the pod IP; a closed port fails with the CRI message', async () => {
    const x = 100 + Math.floor(Math.random() * 150);
    const y = Math.floor(Math.random() * 250);
    env = await podWorkersEnv({ cidr: `127.${x}.${y}.0/24` });
    const e = env;
    const pod = await e.createPod('web-1', { containers: [{ name: 'web', image: 'nginx' }] });
    await e.until('running', () => e.status('web-1').phase === 'Running');
    const ip = e.status('web-1').podIP!;
    expect(ip).toBe(`127.${x}.${y}.2`);
    const server = net.createServer((socket) => socket.end('hello from the pod'));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, ip, resolve));
    const port = (server.address() as net.AddressInfo).port;
    const socket = await e.workers.streams.portForward('default', 'web-1', port);
    let got = '';
    for await (const chunk of socket) got += String(chunk);
    expect(got).toBe('hello from the pod');

    const closed = port === 65535 ? port - 1 : port + 1;
    const refused = await failure(e.workers.streams.portForward('default', 'web-1', closed));
    expect(refused.message).toMatch(
      new RegExp(
        `^error forwarding port ${closed} to pod [0-9a-f]{64}, uid : failed to execute portforward in network namespace "/var/run/netns/cni-[0-9a-f-]{36}": failed to connect to localhost:${closed} inside namespace "[0-9a-f]{64}", IPv4: dial tcp4 127.0.0.1:${closed}: connect: connection refused IPv6 dial tcp6 \\[::1\\]:${closed}: connect: connection refused$`,
      ),
    );
    expect(pod.metadata.uid).toBeDefined();
  });
});

describe('logContainerID', () => {
  const base: ApiContainerStatus = { name: 'c', state: {}, lastState: {}, ready: false, restartCount: 0, image: 'nginx', imageID: '', started: false };
  const terminated = { exitCode: 1, startedAt: 'a', finishedAt: 'b' };
  it.each([
    [{ state: { waiting: { reason: 'ContainerCreating' } } }, false, 'container "c" in pod "p" is waiting to start: ContainerCreating'],
    [{ state: { waiting: { reason: 'PodInitializing' } } }, false, 'container "c" in pod "p" is waiting to start: PodInitializing'],
    [{ state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { ...terminated, containerID: 'kubelab://old' } } }, false, 'kubelab://old'],
    [{ state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { ...terminated, containerID: 'kubelab://old' } } }, true, 'kubelab://old'],
    [{ state: { terminated: { ...terminated, containerID: 'kubelab://done' } } }, false, 'kubelab://done'],
    [{ state: { running: { startedAt: 'a' } }, containerID: 'kubelab://now' }, false, 'kubelab://now'],
    [{ state: {} }, false, 'container "c" in pod "p" is waiting to start - no logs yet'],
  ])('%j previous=%s -> %s', (patch, previous, expected) => {
    const run = () => logContainerID({ ...base, ...patch } as ApiContainerStatus, 'c', 'p', previous);
    if (expected.startsWith('kubelab://')) expect(run()).toBe(expected);
    else expect(run).toThrow(expected);
  });
});
