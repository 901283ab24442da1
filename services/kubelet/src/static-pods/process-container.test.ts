import { describe, expect, it } from 'vitest';
import type { HostProcess } from './host-process';
import { ProcessContainer } from './process-container';

const T0 = Date.parse('2025-03-01T10:00:00Z');
const proc = (pid: number, startSecond: number): HostProcess => ({ pid, startTicks: startSecond * 100, startedAt: new Date(T0 + startSecond * 1000), containerID: `kubelab://${pid}-${startSecond}` });
const at = (second: number) => new Date(T0 + second * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

describe('ProcessContainer (a static pod container that is a lab process)', () => {
  it('waits until its process is found, runs from its start time, ends as Error 137, and counts a restart', () => {
    const c = new ProcessContainer();
    expect(c.observe(undefined, T0)).toBeUndefined();
    expect(c.apiStatus('kube-scheduler', 'registry.k8s.io/kube-scheduler:v1.32.0', true)).toEqual({
      name: 'kube-scheduler', state: { waiting: { reason: 'ContainerCreating' } }, lastState: {}, ready: false, restartCount: 0,
      image: 'registry.k8s.io/kube-scheduler:v1.32.0', imageID: '', started: false,
    }); // prettier-ignore

    expect(c.observe(proc(100, 1), T0 + 2_000)).toBe('started');
    expect(c.observe(proc(100, 1), T0 + 3_000)).toBeUndefined();
    expect(c.apiStatus('s', 'i', true)).toMatchObject({ state: { running: { startedAt: at(1) } }, ready: true, started: true, restartCount: 0, containerID: 'kubelab://100-1' });

    expect(c.observe(undefined, T0 + 10_000)).toBe('exited');
    expect(c.apiStatus('s', 'i', true)).toMatchObject({
      state: { terminated: { exitCode: 137, reason: 'Error', startedAt: at(1), finishedAt: at(10), containerID: 'kubelab://100-1' } },
      ready: false,
      started: false,
      restartCount: 0,
    });

    // The lab starts it again: another pid.
    expect(c.observe(proc(200, 12), T0 + 13_000)).toBe('started');
    expect(c.apiStatus('s', 'i', false)).toMatchObject({
      state: { running: { startedAt: at(12) } },
      lastState: { terminated: { exitCode: 137, reason: 'Error', startedAt: at(1), finishedAt: at(10) } },
      restartCount: 1,
      ready: false,
      containerID: 'kubelab://200-12',
    });
    // Restarted between two looks (never seen gone): the same pid reused with another start time counts too.
    expect(c.observe(proc(200, 20), T0 + 21_000)).toBe('started');
    expect(c.apiStatus('s', 'i', true)).toMatchObject({ restartCount: 2, lastState: { terminated: { startedAt: at(12), finishedAt: at(21) } } });
  });

  it("goes on from the mirror pod's status after a kubelet restart: the same process keeps the count, a new one adds one", () => {
    const seed = new ProcessContainer().apiStatus('s', 'i', true);
    const running = { ...seed, state: { running: { startedAt: at(1) } }, restartCount: 3, containerID: 'kubelab://100-1', lastState: { terminated: { exitCode: 137, reason: 'Error', startedAt: at(0), finishedAt: at(1) } } };
    const same = new ProcessContainer(running);
    same.observe(proc(100, 1), T0 + 5_000);
    expect(same.apiStatus('s', 'i', true)).toMatchObject({ restartCount: 3, lastState: running.lastState, state: { running: { startedAt: at(1) } } });

    const replaced = new ProcessContainer(running);
    replaced.observe(proc(300, 4), T0 + 5_000);
    expect(replaced.apiStatus('s', 'i', true)).toMatchObject({ restartCount: 4, lastState: { terminated: { exitCode: 137, startedAt: at(1), finishedAt: at(5), containerID: 'kubelab://100-1' } }, state: { running: { startedAt: at(4) } } });

    const gone = new ProcessContainer(running);
    gone.observe(undefined, T0 + 5_000);
    expect(gone.apiStatus('s', 'i', true)).toMatchObject({ restartCount: 3, state: { terminated: { exitCode: 137, reason: 'Error', startedAt: at(1), finishedAt: at(5) } } });
    gone.observe(proc(400, 6), T0 + 7_000);
    expect(gone.apiStatus('s', 'i', true)).toMatchObject({ restartCount: 4, state: { running: { startedAt: at(6) } }, lastState: { terminated: { finishedAt: at(5) } } });
  });
});
