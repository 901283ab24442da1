import { PodIPAllocator } from '../network/ipam';
import { Resources } from '@kubelab/client';
import { waitFor } from '@kubelab/component-base';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeProbes } from './testing/fake-probes';
import { FakeRuntime } from './testing/fake-runtime';
import { podWorkersEnv, type PodWorkersEnv } from './testing/harness';

let env: PodWorkersEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const two = { containers: [{ name: 'web', image: 'nginx' }, { name: 'side', image: 'busybox:1.36.1' }] };

/** Every delete the kubelet sent. */
function recordDeletes(e: PodWorkersEnv): unknown[][] {
  const calls: unknown[][] = [];
  const del = e.client.delete.bind(e.client);
  e.client.delete = (async (...args: Parameters<typeof del>) => {
    calls.push([args[2], args[3]]);
    return del(...args);
  }) as typeof del;
  return calls;
}

/** What the apiserver does on `kubectl delete pod`: deletionTimestamp = now + grace. */
function markDeleted(e: PodWorkersEnv, name: string, grace?: number): void {
  const pod = structuredClone(e.pod(name)!);
  pod.metadata.deletionTimestamp = new Date(e.clock.now() + (grace ?? 30) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  if (grace !== undefined) pod.metadata.deletionGracePeriodSeconds = grace;
  e.server.write(Resources.pods, 'MODIFIED', pod);
}

describe('deletion', () => {
  it('stops the containers in parallel with the deletion grace period, posts the final status, releases the IP, removes the containers and finishes the delete', async () => {
    env = await podWorkersEnv();
    const e = env;
    const pod = await e.createPod('bye', two);
    await e.until('Running', () => e.status('bye').phase === 'Running');
    const ids = [e.container('bye', 'web').id, e.container('bye', 'side').id];
    const deletes = recordDeletes(e);
    e.runtime.holdStops = true;
    markDeleted(e, 'bye', 10);
    await e.until('both stops asked', () => e.runtime.heldStops === 2);
    expect(e.runtime.stops).toEqual([
      { id: ids[0], name: 'web', grace: 10 },
      { id: ids[1], name: 'side', grace: 10 },
    ]);
    expect(e.pod('bye')).toBeDefined();
    e.runtime.stopExitCode = 0;
    e.runtime.releaseStops();
    await e.until('deleted', () => !e.pod('bye'));
    expect(deletes).toEqual([['bye', { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } }]]);
    expect(e.runtime.removed.sort()).toEqual([...ids].sort());
    expect(e.ipam.get(pod.metadata.uid!)).toBeUndefined();
    expect(await e.events()).toEqual(expect.arrayContaining(['Normal Killing Stopping container web', 'Normal Killing Stopping container side']));
    expect(e.probes.watched.size).toBe(0);
  });

  it('the final status shows the containers terminated and the pod in a terminal phase', async () => {
    env = await podWorkersEnv();
    const e = env;
    await e.createPod('last', { containers: [{ name: 'web', image: 'nginx' }] });
    await e.until('Running', () => e.status('last').phase === 'Running');
    const statuses: unknown[] = [];
    const update = e.client.updateStatus.bind(e.client);
    e.client.updateStatus = (async (...args: Parameters<typeof update>) => {
      statuses.push(structuredClone(args[1].status));
      return update(...args);
    }) as typeof update;
    markDeleted(e, 'last');
    await e.until('deleted', () => !e.pod('last'));
    expect(statuses.at(-1)).toMatchObject({
      phase: 'Failed',
      conditions: [
        { type: 'PodReadyToStartContainers', status: 'False' },
        { type: 'Initialized', status: 'True' },
        { type: 'Ready', status: 'False', reason: 'PodFailed' },
        { type: 'ContainersReady', status: 'False', reason: 'PodFailed' },
        { type: 'PodScheduled', status: 'True' },
      ],
      containerStatuses: [{ name: 'web', ready: false, state: { terminated: { exitCode: 143, reason: 'Error' } } }],
    });
    expect(e.runtime.stops.map((s) => s.grace)).toEqual([30]);
  });

  it('without a deletion grace period the spec one counts, and never less than 2 s', async () => {
    env = await podWorkersEnv();
    const e = env;
    await e.createPod('quick', { containers: [{ name: 'web', image: 'nginx' }], terminationGracePeriodSeconds: 0 });
    await e.until('Running', () => e.status('quick').phase === 'Running');
    markDeleted(e, 'quick');
    await e.until('deleted', () => !e.pod('quick'));
    expect(e.runtime.stops.map((s) => s.grace)).toEqual([2]);
  });

  it('a preStop hook runs first, within the grace period: the container gets what is left of it, never less than 2 s', async () => {
    env = await podWorkersEnv();
    const e = env;
    await e.createPod('hooked', {
      containers: [
        { name: 'short', image: 'nginx', lifecycle: { preStop: { sleep: { seconds: 4 } } } },
        { name: 'long', image: 'nginx', lifecycle: { preStop: { sleep: { seconds: 40 } } } },
      ],
    });
    await e.until('Running', () => e.status('hooked').phase === 'Running');
    markDeleted(e, 'hooked', 10);
    // The Killing events come just before the hooks start (their timers are set in the same turn).
    await waitFor(async () => (await e.events()).filter((line) => line.startsWith('Normal Killing Stopping container')).length === 2, { timeoutMs: 10_000, what: 'the Killing events' });
    expect(e.runtime.stops).toEqual([]);
    await e.clock.advance(4_000);
    await e.until('the short hook done', () => e.runtime.stops.length === 1);
    expect(e.runtime.stops[0]).toMatchObject({ name: 'short', grace: 6 });
    await e.clock.advance(6_000);
    await e.until('the long hook cut at the end of the grace period', () => e.runtime.stops.length === 2);
    expect(e.runtime.stops[1]).toMatchObject({ name: 'long', grace: 2 });
  });

  it('deleted with a grace period of 1 s (kubectl delete --now): the preStop hook gets 1 s, then the container the minimal 2 s', async () => {
    env = await podWorkersEnv();
    const e = env;
    await e.createPod('quick', { containers: [{ name: 'web', image: 'nginx', lifecycle: { preStop: { sleep: { seconds: 5 } } } }] });
    await e.until('Running', () => e.status('quick').phase === 'Running');
    markDeleted(e, 'quick', 1);
    await waitFor(async () => (await e.events()).some((line) => line.startsWith('Normal Killing Stopping container web')), { timeoutMs: 10_000, what: 'the Killing event' });
    await e.clock.advance(1_000);
    await e.until('the hook cut after 1 s', () => e.runtime.stops.length === 1);
    expect(e.runtime.stops[0]).toMatchObject({ name: 'web', grace: 2 });
  });

  it('a container killed for a failed probe with terminationGracePeriodSeconds 0 gets no preStop hook', async () => {
    env = await podWorkersEnv();
    const e = env;
    const pod = await e.createPod('nograce', { terminationGracePeriodSeconds: 0, containers: [{ name: 'web', image: 'nginx', livenessProbe: { httpGet: { path: '/', port: 80 } }, lifecycle: { preStop: { sleep: { seconds: 5 } } } }] });
    await e.until('Running', () => e.status('nograce').phase === 'Running');
    e.probes.fire({ podUid: pod.metadata.uid!, containerName: 'web', containerId: e.container('nograce', 'web').id, type: 'Liveness', result: 'Failure' });
    await e.until('stopped at once', () => e.runtime.stops.length === 1);
    expect(e.runtime.stops[0]).toMatchObject({ name: 'web', grace: 2 });
  });

  it("deleted while a failed probe's kill runs its preStop hook: SIGTERM still waits for the hook", async () => {
    env = await podWorkersEnv();
    const e = env;
    const pod = await e.createPod('dying', { terminationGracePeriodSeconds: 30, containers: [{ name: 'web', image: 'nginx', livenessProbe: { httpGet: { path: '/', port: 80 } }, lifecycle: { preStop: { sleep: { seconds: 5 } } } }] });
    await e.until('Running', () => e.status('dying').phase === 'Running');
    e.probes.fire({ podUid: pod.metadata.uid!, containerName: 'web', containerId: e.container('dying', 'web').id, type: 'Liveness', result: 'Failure' });
    await waitFor(async () => (await e.events()).some((line) => line.includes('failed liveness probe')), { timeoutMs: 10_000, what: 'the Killing event' });
    markDeleted(e, 'dying', 30);
    await waitFor(async () => (await e.events()).some((line) => line.startsWith('Normal Killing Stopping container web')), { timeoutMs: 10_000, what: "the deletion's Killing event" });
    await e.clock.advance(4_000);
    expect(e.runtime.stops).toEqual([]);
    await e.clock.advance(1_000);
    await e.until('stopped once the hook is done', () => e.runtime.stops.length >= 1);
  });

  it('a pod removed from the apiserver (forced) is stopped and cleaned up without another delete', async () => {
    env = await podWorkersEnv();
    const e = env;
    const pod = await e.createPod('forced', two);
    await e.until('Running', () => e.status('forced').phase === 'Running');
    const deletes = recordDeletes(e);
    e.server.write(Resources.pods, 'DELETED', e.pod('forced')!);
    await e.until('removed', () => e.runtime.listContainers(pod.metadata.uid).length === 0);
    expect(e.runtime.stops).toHaveLength(2);
    expect(deletes).toEqual([]);
    expect(e.ipam.get(pod.metadata.uid!)).toBeUndefined();
    expect(e.workers.runningPods()).toEqual([]);
  });
});

describe('kubelet restart', () => {
  it('adopts running containers without restarting them, keeps the IP, and hands them to the prober', async () => {
    env = await podWorkersEnv();
    const e = env;
    const pod = await e.createPod('keep', two);
    await e.until('Running', () => e.status('keep').phase === 'Running');
    const before = e.status('keep');
    const runtime = new FakeRuntime(e.clock);
    runtime.adoptable = e.runtime.listContainers();
    const probes = new FakeProbes();
    const workers = await e.restart(runtime, probes);
    await e.until('prober told', () => probes.added.length === 2);
    await workers.idle();
    expect(runtime.starts).toEqual([]);
    expect(runtime.stops).toEqual([]);
    expect(probes.added.map((a) => `${a.name} ${a.podIP}`).sort()).toEqual(['side 127.244.1.2', 'web 127.244.1.2']);
    expect(e.status('keep').containerStatuses).toEqual(before.containerStatuses);
    expect(e.status('keep').podIP).toBe('127.244.1.2');
    expect(workers.runningPods()[0]!.uid).toBe(pod.metadata.uid);
  });

  it('stops and removes the containers of pods deleted while it was down, and releases their IPs', async () => {
    env = await podWorkersEnv();
    const e = env;
    const gone = await e.createPod('gone', { containers: [{ name: 'web', image: 'nginx' }] });
    await e.createPod('stays', { containers: [{ name: 'web', image: 'nginx' }] });
    await e.until('Running', () => e.status('gone').phase === 'Running' && e.status('stays').phase === 'Running');
    const runtime = new FakeRuntime(e.clock);
    runtime.adoptable = e.runtime.listContainers();
    await e.workers.stop();
    e.server.write(Resources.pods, 'DELETED', e.pod('gone')!);
    const workers = await e.restart(runtime, new FakeProbes());
    await e.until('orphan removed', () => runtime.listContainers(gone.metadata.uid).length === 0);
    expect(runtime.stops.map((s) => s.name)).toEqual(['web']);
    expect(runtime.starts).toEqual([]);
    const fresh = new PodIPAllocator({ cidr: '127.244.1.0/24', stateFile: e.stateFile });
    expect(fresh.get(gone.metadata.uid!)).toBeUndefined();
    expect(fresh.podUids()).toHaveLength(1);
    expect(workers.runningPods().map((p) => p.name)).toEqual(['stays']);
  });

  it('restarts a container that exited while the kubelet was down (restartPolicy Always)', async () => {
    env = await podWorkersEnv();
    const e = env;
    await e.createPod('crashed', { containers: [{ name: 'web', image: 'nginx' }] });
    await e.until('Running', () => e.status('crashed').phase === 'Running');
    await e.workers.stop();
    e.runtime.exit(e.container('crashed', 'web').id, 1);
    const runtime = new FakeRuntime(e.clock);
    runtime.adoptable = e.runtime.listContainers();
    await e.restart(runtime, new FakeProbes());
    await e.until('restarted', () => e.status('crashed').containerStatuses?.[0]?.restartCount === 1 && e.status('crashed').containerStatuses?.[0]?.state.running);
    expect(runtime.starts.map((s) => s.config.attempt)).toEqual([1]);
  });
});
