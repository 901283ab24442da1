import { FakeClock, type KubeObject } from '@kubelab/client';
import { createLogger } from '@kubelab/component-base';
import { describe, expect, it } from 'vitest';
import type { Container } from './probe-spec';
import { ProberManager } from './prober-manager';
import type { ProbeTarget } from './prober';
import type { ProbeResult, ProbeType, ProbeUpdate } from './types';

const log = createLogger('test', 'silent');
const noRuntime = { execSync: () => Promise.reject(new Error('no runtime in this test')) };
const noEvents = { event: () => {} };

function podWith(uid: string, containers: Container[]): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: `pod-${uid}`, namespace: 'default', uid }, spec: { containers } };
}

/**
 * A manager on a FakeClock whose prober answers per probe type and container (Success unless
 * told otherwise), recording each attempt.
 */
function setup() {
  const clock = new FakeClock(0);
  const answers = new Map<string, ProbeResult>();
  const attempts: Array<{ type: ProbeType; container: string; containerId: string; at: number }> = [];
  const prober = {
    probe: async (type: ProbeType, target: ProbeTarget) => {
      attempts.push({ type, container: target.container.name, containerId: target.containerId, at: clock.now() });
      return answers.get(`${type}/${target.container.name}`) ?? 'Success';
    },
  };
  const manager = new ProberManager({ runtime: noRuntime, recorder: noEvents, clock, log, prober });
  const updates: ProbeUpdate[] = [];
  manager.onUpdate((u) => updates.push(u));
  const answer = (type: ProbeType, container: string, result: ProbeResult) => answers.set(`${type}/${container}`, result);
  const count = (type: ProbeType, container = 'app') => attempts.filter((a) => a.type === type && a.container === container).length;
  return { clock, manager, updates, attempts, answer, count, started: (ms = clock.now()) => new Date(ms) };
}

describe('prober manager', () => {
  it('a container without probes is started and ready at once; one never added is neither', () => {
    const { manager, clock } = setup();
    manager.addContainer(podWith('p1', [{ name: 'app' }]), 'app', 'kubelab://a', '127.244.1.5', new Date(clock.now()));
    expect(manager.isStarted('p1', 'app')).toBe(true);
    expect(manager.isReady('p1', 'app')).toBe(true);
    expect(manager.isStarted('p1', 'other')).toBe(false);
    expect(manager.isReady('p1', 'other')).toBeUndefined();
    expect(clock.pendingTimers).toBe(0);
  });

  it('readiness: unknown until its first result, then follows it; every change is announced', async () => {
    const { manager, clock, updates, answer, started } = setup();
    const pod = podWith('p1', [{ name: 'app', readinessProbe: { httpGet: { port: 8080 }, initialDelaySeconds: 5, periodSeconds: 5 } }]);
    manager.addContainer(pod, 'app', 'kubelab://a', '127.244.1.5', started());
    expect(manager.isReady('p1', 'app')).toBeUndefined();
    await clock.advance(5_000);
    expect(manager.isReady('p1', 'app')).toBe(true);
    expect(updates).toEqual([{ podUid: 'p1', containerName: 'app', containerId: 'kubelab://a', type: 'Readiness', result: 'Success' }]);
    answer('Readiness', 'app', 'Failure');
    await clock.advance(10_000);
    expect(manager.isReady('p1', 'app')).toBe(true); // two failures: below failureThreshold 3
    await clock.advance(5_000);
    expect(manager.isReady('p1', 'app')).toBe(false);
    expect(updates.map((u) => u.result)).toEqual(['Success', 'Failure']);
    expect(manager.isStarted('p1', 'app')).toBe(true);
  });

  it('startup gates liveness and readiness; once it succeeds readiness probes at once and liveness at its next period', async () => {
    const { manager, clock, answer, count, updates, started } = setup();
    answer('Startup', 'app', 'Failure');
    const pod = podWith('p1', [
      {
        name: 'app',
        startupProbe: { exec: { command: ['true'] }, periodSeconds: 1, failureThreshold: 30 },
        livenessProbe: { exec: { command: ['true'] }, periodSeconds: 10, failureThreshold: 1 },
        readinessProbe: { exec: { command: ['true'] }, periodSeconds: 10 },
      },
    ]);
    manager.addContainer(pod, 'app', 'kubelab://a', '127.244.1.5', started());
    await clock.advance(12_000);
    expect(count('Startup')).toBe(13);
    expect(count('Liveness') + count('Readiness')).toBe(0);
    expect(manager.isStarted('p1', 'app')).toBe(false);
    expect(manager.isReady('p1', 'app')).toBe(false);

    answer('Startup', 'app', 'Success');
    await clock.advance(1_000); // t = 13 s: the startup probe succeeds
    expect(manager.isStarted('p1', 'app')).toBe(true);
    expect(count('Readiness')).toBe(1);
    expect(manager.isReady('p1', 'app')).toBe(true);
    expect(count('Liveness')).toBe(0);
    await clock.advance(7_000); // t = 20 s: liveness's tick
    expect(count('Liveness')).toBe(1);
    await clock.advance(20_000);
    expect(count('Startup')).toBe(14); // stopped after its success
    expect(updates.map((u) => `${u.type}=${u.result}`)).toEqual(['Startup=Success', 'Readiness=Success']);
  });

  it('a startup probe that never succeeds turns Failure after failureThreshold; liveness never ran', async () => {
    const { manager, clock, answer, count, updates, started } = setup();
    answer('Startup', 'app', 'Failure');
    const pod = podWith('p1', [{ name: 'app', startupProbe: { tcpSocket: { port: 1 }, periodSeconds: 10, failureThreshold: 3 }, livenessProbe: { tcpSocket: { port: 1 } } }]);
    manager.addContainer(pod, 'app', 'kubelab://a', '127.244.1.5', started());
    await clock.advance(60_000);
    expect(count('Startup')).toBe(3);
    expect(count('Liveness')).toBe(0);
    expect(updates).toEqual([{ podUid: 'p1', containerName: 'app', containerId: 'kubelab://a', type: 'Startup', result: 'Failure' }]);
  });

  it('liveness Failure holds until the container is replaced; the new instance starts over', async () => {
    const { manager, clock, answer, count, updates, attempts, started } = setup();
    answer('Liveness', 'app', 'Failure');
    const pod = podWith('p1', [{ name: 'app', livenessProbe: { httpGet: { port: 8080 }, initialDelaySeconds: 5, periodSeconds: 5 } }]);
    manager.addContainer(pod, 'app', 'kubelab://a', '127.244.1.5', started());
    await clock.advance(60_000);
    expect(count('Liveness')).toBe(3);
    expect(updates.map((u) => `${u.containerId} ${u.result}`)).toEqual(['kubelab://a Failure']);

    // The pod workers kill it and start the next instance.
    manager.addContainer(pod, 'app', 'kubelab://a', '127.244.1.5', started()); // same id: nothing changes
    expect(clock.pendingTimers).toBe(0);
    answer('Liveness', 'app', 'Success');
    manager.removeContainer('p1', 'app');
    manager.addContainer(pod, 'app', 'kubelab://b', '127.244.1.5', started());
    await clock.advance(4_999);
    expect(count('Liveness')).toBe(3);
    await clock.advance(1);
    expect(attempts[attempts.length - 1]).toMatchObject({ containerId: 'kubelab://b', at: 65_000 });
    expect(updates).toHaveLength(1); // liveness' initial Success is no change to announce
  });

  it('a new container ID replaces the workers without a removeContainer', async () => {
    const { manager, clock, started } = setup();
    const pod = podWith('p1', [{ name: 'app', readinessProbe: { httpGet: { port: 8080 } } }]);
    manager.addContainer(pod, 'app', 'kubelab://a', '127.244.1.5', started());
    await clock.advance(0);
    expect(manager.isReady('p1', 'app')).toBe(true);
    manager.addContainer(pod, 'app', 'kubelab://b', '127.244.1.5', started());
    expect(manager.isReady('p1', 'app')).toBeUndefined();
    expect(clock.pendingTimers).toBe(1);
  });

  it('removePod and stop leave no timers running', async () => {
    const { manager, clock, started } = setup();
    const probe = { httpGet: { port: 8080 } };
    manager.addContainer(podWith('p1', [{ name: 'a', readinessProbe: probe, livenessProbe: probe }, { name: 'b', readinessProbe: probe }]), 'a', 'kubelab://1', '127.244.1.5', started());
    manager.addContainer(podWith('p1', [{ name: 'a' }, { name: 'b', readinessProbe: probe }]), 'b', 'kubelab://2', '127.244.1.5', started());
    manager.addContainer(podWith('p2', [{ name: 'a', readinessProbe: probe }]), 'a', 'kubelab://3', '127.244.1.6', started());
    expect(clock.pendingTimers).toBe(4);
    manager.removePod('p1');
    expect(clock.pendingTimers).toBe(1);
    expect(manager.isReady('p1', 'a')).toBeUndefined();
    manager.stop();
    expect(clock.pendingTimers).toBe(0);
  });

  it('with the real prober: one Unhealthy event per failed attempt, one Failure update at the threshold', async () => {
    const clock = new FakeClock(0);
    const events: string[] = [];
    const recorder = { event: (_o: KubeObject, type: string, reason: string, message: string, fieldPath?: string) => void events.push(`${type} ${reason} ${fieldPath} ${message}`) };
    const runtime = { execSync: async () => ({ exitCode: 1, output: "cat: can't open '/tmp/healthy': No such file or directory\n", stderr: '', timedOut: false }) };
    const manager = new ProberManager({ runtime, recorder, clock, log });
    const updates: ProbeUpdate[] = [];
    manager.onUpdate((u) => updates.push(u));
    manager.addContainer(podWith('p1', [{ name: 'liveness', livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, initialDelaySeconds: 5, periodSeconds: 5 } }]), 'liveness', 'kubelab://a', '127.244.1.5', new Date(0));
    await clock.advance(15_000);
    expect(events).toEqual(Array(3).fill("Warning Unhealthy spec.containers{liveness} Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory\n"));
    expect(updates.map((u) => `${u.type} ${u.result}`)).toEqual(['Liveness Failure']);
    manager.stop();
  });
});
