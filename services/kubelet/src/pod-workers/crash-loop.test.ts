import { podStatusColumns } from '../../../apiserver/src/registry/resources/pods';
import { Resources } from '@kubelab/client';
import { afterEach, describe, expect, it } from 'vitest';
import type { PodStatus } from '../status/api-types';
import { podWorkersEnv, type PodWorkersEnv } from './testing/harness';

let env: PodWorkersEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const web = (name: string, e: PodWorkersEnv) => e.status(name).containerStatuses?.[0];

async function columns(e: PodWorkersEnv, name: string): Promise<string> {
  const c = podStatusColumns(e.pod(name)!, new Date(e.clock.now()));
  return `${c.ready} ${c.reason} ${c.restarts.split(' ')[0]}`;
}

/** Every status the kubelet wrote, in order. */
function recordStatuses(e: PodWorkersEnv): PodStatus[] {
  const written: PodStatus[] = [];
  const update = e.client.updateStatus.bind(e.client);
  e.client.updateStatus = (async (...args: Parameters<typeof update>) => {
    written.push(structuredClone(args[1].status as PodStatus));
    return update(...args);
  }) as typeof update;
  return written;
}

describe('CrashLoopBackOff', () => {
  it('restarts at once the first time, then backs off 1s, 2s, 4s, capped at 4s, and starts over after running 2x the cap', async () => {
    env = await podWorkersEnv({ crashLoopBackOff: { initialMs: 1_000, maxMs: 4_000 } });
    const e = env;
    const pod = await e.createPod('crash', { containers: [{ name: 'web', image: 'nginx' }] });
    const desc = `crash_default(${pod.metadata.uid})`;
    await e.until('running', () => web('crash', e)?.state.running);
    const crash = () => e.runtime.exit(e.container('crash', 'web').id, 1);
    const restarts = (n: number) => e.until(`restart ${n}`, () => web('crash', e)?.restartCount === n && web('crash', e)?.state.running);

    crash();
    await restarts(1);
    for (const [n, backoff] of [[2, 1_000], [3, 2_000], [4, 4_000], [5, 4_000]] as const) {
      crash();
      await e.until(`back-off before restart ${n}`, () => web('crash', e)?.state.waiting?.reason === 'CrashLoopBackOff');
      expect(web('crash', e)!.state.waiting!.message).toBe(`back-off ${backoff / 1000}s restarting failed container=web pod=${desc}`);
      expect(web('crash', e)!.lastState.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
      expect(await columns(e, 'crash')).toBe(`0/1 CrashLoopBackOff ${n - 1}`);
      await e.clock.advance(backoff - 1);
      expect(e.runtime.starts).toHaveLength(n);
      await e.clock.advance(1);
      await restarts(n);
    }
    // It ran for longer than twice the cap: the next crash restarts at once.
    await e.clock.advance(8_001);
    crash();
    await restarts(6);
    expect((await e.events()).filter((x) => x.startsWith('Warning BackOff'))).toEqual([`Warning BackOff Back-off restarting failed container web in pod ${desc}`]);
    // Repeats are folded into one event with a count, as Kubernetes shows "(x4 over 11s)".
    const backOff = [...e.server.objects.values()].find((o) => o.reason === 'BackOff')!;
    expect(backOff.count).toBe(4);
    expect(backOff.involvedObject).toMatchObject({ kind: 'Pod', name: 'crash', fieldPath: 'spec.containers{web}' });
  });

  it('a container whose spec changed (kubectl set image) starts without the old one\'s back-off', async () => {
    env = await podWorkersEnv({ crashLoopBackOff: { initialMs: 10_000, maxMs: 40_000 } });
    const e = env;
    await e.createPod('fixed', { containers: [{ name: 'web', image: 'nginx' }] });
    await e.until('running', () => web('fixed', e)?.state.running);
    const crash = () => e.runtime.exit(e.container('fixed', 'web').id, 1);
    crash();
    await e.until('restart 1', () => web('fixed', e)?.restartCount === 1 && web('fixed', e)?.state.running);
    crash();
    await e.until('CrashLoopBackOff', () => web('fixed', e)?.state.waiting?.reason === 'CrashLoopBackOff');
    const pod = structuredClone(e.pod('fixed')!);
    (pod.spec as { containers: Array<{ image: string }> }).containers[0]!.image = 'redis:6.0';
    e.server.write(Resources.pods, 'MODIFIED', pod);
    await e.until('started at once with the new image', () => web('fixed', e)?.restartCount === 2 && web('fixed', e)?.state.running);
  });

  it('an OOMKilled container shows Terminated OOMKilled 137, then runs again with it as lastState', async () => {
    env = await podWorkersEnv();
    const e = env;
    await e.createPod('leak', { containers: [{ name: 'web', image: 'nginx', resources: { limits: { memory: '100Mi' } } }] });
    await e.until('running', () => web('leak', e)?.state.running);
    expect(e.runtime.starts[0]!.config.memoryLimitBytes).toBe(100 * 1024 * 1024);
    const written = recordStatuses(e);
    e.clock.step(30_000);
    e.runtime.exit(e.container('leak', 'web').id, 137, 'OOMKilled');
    await e.until('restarted', () => web('leak', e)?.restartCount === 1 && web('leak', e)?.state.running);
    expect(written[0]!.containerStatuses![0]!.state.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled', finishedAt: '2026-01-01T00:00:30Z' });
    expect(web('leak', e)!.lastState).toEqual({
      terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:30Z', containerID: written[0]!.containerStatuses![0]!.containerID },
    });
    expect(await columns(e, 'leak')).toBe('1/1 Running 1');
  });
});

describe('probes', () => {
  it('a failed liveness probe kills the container with the grace period and restarts it (Killing event, restartCount+1, lastState)', async () => {
    env = await podWorkersEnv();
    const e = env;
    const pod = await e.createPod('live', { containers: [{ name: 'web', image: 'nginx', livenessProbe: { httpGet: { path: '/healthz', port: 8080 } } }], terminationGracePeriodSeconds: 7 });
    await e.until('running', () => web('live', e)?.state.running);
    const first = e.container('live', 'web');
    expect(e.probes.added.map((a) => `${a.name} ${a.id === first.id} ${a.podIP}`)).toEqual(['web true 127.244.1.2']);
    e.probes.fire({ podUid: pod.metadata.uid!, containerName: 'web', containerId: first.id, type: 'Liveness', result: 'Failure' });
    await e.until('restarted', () => web('live', e)?.restartCount === 1 && web('live', e)?.state.running);
    expect(e.runtime.stops).toEqual([{ id: first.id, name: 'web', grace: 7 }]);
    expect(web('live', e)!.lastState.terminated).toMatchObject({ exitCode: 143, reason: 'Error', containerID: first.id });
    expect(await e.events()).toContain('Normal Killing Container web failed liveness probe, will be restarted');
    // The prober now watches the new container.
    expect(e.probes.watched.get(`${pod.metadata.uid}/web`)).toBe(e.container('live', 'web').id);
  });

  it('a failed startup probe says so, and a probe-level terminationGracePeriodSeconds wins', async () => {
    env = await podWorkersEnv();
    const e = env;
    const pod = await e.createPod('slow', { containers: [{ name: 'web', image: 'nginx', startupProbe: { terminationGracePeriodSeconds: 3 } }], restartPolicy: 'Never' });
    await e.until('running', () => web('slow', e)?.state.running);
    e.probes.fire({ podUid: pod.metadata.uid!, containerName: 'web', containerId: e.container('slow', 'web').id, type: 'Startup', result: 'Failure' });
    await e.until('Failed', () => e.status('slow').phase === 'Failed');
    expect(e.runtime.stops.map((s) => s.grace)).toEqual([3]);
    expect(await e.events()).toContain('Normal Killing Container web failed startup probe');
  });

  it('a stale probe result (an older container) kills nothing', async () => {
    env = await podWorkersEnv();
    const e = env;
    const pod = await e.createPod('stale', { containers: [{ name: 'web', image: 'nginx' }] });
    await e.until('running', () => web('stale', e)?.state.running);
    e.probes.fire({ podUid: pod.metadata.uid!, containerName: 'web', containerId: 'kubelab://old', type: 'Liveness', result: 'Failure' });
    await e.workers.idle();
    expect(e.runtime.stops).toEqual([]);
  });

  it('readiness takes the pod out of Ready and puts it back; started follows the startup probe', async () => {
    env = await podWorkersEnv();
    const e = env;
    const pod = await e.createPod('ready', { containers: [{ name: 'web', image: 'nginx' }, { name: 'side', image: 'busybox:1.36.1' }] });
    await e.until('ready', () => e.status('ready').conditions?.find((c) => c.type === 'Ready')?.status === 'True');
    const readyAt = e.status('ready').conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime;
    e.clock.step(10_000);
    e.probes.setReady(pod.metadata.uid!, 'web', false);
    e.probes.fire({ podUid: pod.metadata.uid!, containerName: 'web', containerId: e.container('ready', 'web').id, type: 'Readiness', result: 'Failure' });
    await e.until('unready', () => e.status('ready').conditions?.find((c) => c.type === 'Ready')?.status === 'False');
    const status = e.status('ready');
    expect(status.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ reason: 'ContainersNotReady', message: 'containers with unready status: [web]', lastTransitionTime: '2026-01-01T00:00:10Z' });
    expect(status.conditions!.find((c) => c.type === 'PodReadyToStartContainers')!.lastTransitionTime).toBe(readyAt);
    expect(status.containerStatuses!.map((c) => `${c.name}:${c.ready}`)).toEqual(['web:false', 'side:true']);
    expect(await columns(e, 'ready')).toBe('1/2 Running 0');
    expect(e.runtime.stops).toEqual([]);

    e.probes.setStarted(pod.metadata.uid!, 'side', false);
    e.probes.setReady(pod.metadata.uid!, 'web', true);
    e.probes.fire({ podUid: pod.metadata.uid!, containerName: 'web', containerId: e.container('ready', 'web').id, type: 'Readiness', result: 'Success' });
    await e.until('web ready', () => e.status('ready').containerStatuses?.[0]?.ready);
    expect(e.status('ready').containerStatuses![1]).toMatchObject({ name: 'side', started: false });
  });

  it('a changed image (kubectl set image on the pod) kills the container and starts the new image', async () => {
    env = await podWorkersEnv();
    const e = env;
    await e.createPod('img', { containers: [{ name: 'web', image: 'nginx' }] });
    await e.until('running', () => web('img', e)?.state.running);
    const { Resources } = await import('@kubelab/client');
    const pod = structuredClone(e.pod('img')!);
    (pod.spec as { containers: Array<{ image: string }> }).containers[0]!.image = 'redis:6.0';
    e.server.write(Resources.pods, 'MODIFIED', pod);
    await e.until('new image running', () => web('img', e)?.state.running && web('img', e)?.image === 'docker.io/library/redis:6.0');
    expect(e.runtime.starts.map((x) => x.config.image)).toEqual(['nginx', 'redis:6.0']);
    expect(web('img', e)!.restartCount).toBe(1);
    expect(await e.events()).toContain('Normal Killing Container web definition changed, will be restarted');
  });
});
