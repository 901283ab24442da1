import { describe, expect, it } from 'vitest';
import type { ContainerStatus } from '../runtime/types';
import type { PodSpec } from './api-types';
import type { ContainerView } from './container-statuses';
import { generatePodStatus } from './pod-status';

const at = (s: number) => new Date(Date.parse('2026-01-01T00:00:00Z') + s * 1000);

function instance(name: string, attempt: number, state: ContainerStatus['state'], extra: Partial<ContainerStatus> = {}): ContainerStatus {
  return {
    id: `kubelab://${name}-${attempt}`,
    podUid: 'uid',
    podNamespace: 'default',
    podName: 'p',
    name,
    attempt,
    state,
    image: 'nginx',
    imageRef: 'docker.io/library/nginx@sha256:abc',
    createdAt: at(attempt * 10),
    startedAt: at(attempt * 10),
    ...(state === 'exited' ? { finishedAt: at(attempt * 10 + 5), exitCode: 1, reason: 'Error' } : {}),
    logPath: '',
    ...extra,
  };
}

function view(name: string, v: Partial<ContainerView> = {}): ContainerView {
  return { name, image: 'nginx', ready: true, started: true, ...v };
}

const spec = (s: Partial<PodSpec> = {}): PodSpec => ({ containers: [{ name: 'web', image: 'nginx' }], restartPolicy: 'Always', ...s });

function status(s: PodSpec, containers: ContainerView[], options: { init?: ContainerView[]; terminal?: boolean; ip?: string } = {}) {
  return generatePodStatus({
    spec: s,
    oldStatus: { conditions: [{ type: 'PodScheduled', status: 'True' }] },
    initContainers: options.init ?? [],
    containers,
    podIP: options.ip ?? '127.244.1.2',
    hostIP: '127.18.0.2',
    sandboxReady: !options.terminal,
    podIsTerminal: options.terminal ?? false,
  });
}

const conditions = (st: ReturnType<typeof status>) => st.conditions!.map((c) => [c.type, c.status, c.reason ?? '', c.message ?? ''].filter(Boolean).join(' '));

describe('generatePodStatus', () => {
  it('a container not created yet: Pending, ContainerCreating, not ready', () => {
    const st = status(spec(), [view('web', { ready: false, started: false })]);
    expect(st.phase).toBe('Pending');
    expect(st.containerStatuses).toEqual([{ name: 'web', state: { waiting: { reason: 'ContainerCreating' } }, lastState: {}, ready: false, restartCount: 0, image: 'nginx', imageID: '', started: false }]);
    expect(conditions(st)).toEqual([
      'PodReadyToStartContainers True',
      'Initialized True',
      'Ready False ContainersNotReady containers with unready status: [web]',
      'ContainersReady False ContainersNotReady containers with unready status: [web]',
      'PodScheduled True',
    ]);
    expect(st.podIPs).toEqual([{ ip: '127.244.1.2' }]);
    expect(st.hostIPs).toEqual([{ ip: '127.18.0.2' }]);
  });

  it('running after a restart: Running, ready, the previous exit as lastState', () => {
    const st = status(spec(), [view('web', { current: instance('web', 1, 'running'), previous: instance('web', 0, 'exited', { exitCode: 137, reason: 'OOMKilled' }) })]);
    expect(st.phase).toBe('Running');
    expect(st.containerStatuses![0]).toEqual({
      name: 'web',
      state: { running: { startedAt: '2026-01-01T00:00:10Z' } },
      lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:05Z', containerID: 'kubelab://web-0' } },
      ready: true,
      restartCount: 1,
      image: 'docker.io/library/nginx:latest',
      imageID: 'docker.io/library/nginx@sha256:abc',
      containerID: 'kubelab://web-1',
      started: true,
    });
    expect(conditions(st).slice(2, 4)).toEqual(['Ready True', 'ContainersReady True']);
  });

  it('waiting to restart: the reason as state, the exit as lastState, restartCount of the exited one; phase Running (Always)', () => {
    const st = status(spec(), [view('web', { current: instance('web', 2, 'exited'), previous: instance('web', 1, 'exited'), waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container=web pod=p_default(uid)' } })]);
    expect(st.phase).toBe('Running');
    expect(st.containerStatuses![0]).toMatchObject({
      state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container=web pod=p_default(uid)' } },
      lastState: { terminated: { exitCode: 1, reason: 'Error', containerID: 'kubelab://web-2' } },
      restartCount: 2,
      ready: false,
      started: false,
    });
  });

  it.each([
    ['Always', [1], false, 'Running'],
    ['OnFailure', [0], false, 'Succeeded'],
    ['OnFailure', [1], false, 'Running'],
    ['Never', [1], false, 'Failed'],
    ['Never', [0], false, 'Succeeded'],
    ['Always', [0], true, 'Succeeded'],
    ['Always', [143], true, 'Failed'],
  ] as const)('restartPolicy %s, exits %j, terminal %s -> %s', (restartPolicy, exits, terminal, phase) => {
    const st = status(
      spec({ restartPolicy }),
      exits.map((code) => view('web', { current: instance('web', 0, 'exited', { exitCode: code, reason: code === 0 ? 'Completed' : 'Error' }) })),
      { terminal },
    );
    expect(st.phase).toBe(phase);
  });

  it('terminal phases: PodCompleted / PodFailed conditions, sandbox gone', () => {
    const done = status(spec({ restartPolicy: 'Never' }), [view('web', { current: instance('web', 0, 'exited', { exitCode: 0, reason: 'Completed' }) })], { terminal: true });
    expect(conditions(done)).toEqual(['PodReadyToStartContainers False', 'Initialized True PodCompleted', 'Ready False PodCompleted', 'ContainersReady False PodCompleted', 'PodScheduled True']);
    const failed = status(spec({ restartPolicy: 'Never' }), [view('web', { current: instance('web', 0, 'exited') })], { terminal: true });
    expect(conditions(failed).slice(2, 4)).toEqual(['Ready False PodFailed', 'ContainersReady False PodFailed']);
  });

  it('init containers: PodInitializing for all until they complete; Initialized lists the incomplete ones', () => {
    const s = spec({ initContainers: [{ name: 'a', image: 'busybox' }, { name: 'b', image: 'busybox' }] });
    const st = status(s, [view('web', { ready: false })], { init: [view('a', { current: instance('a', 0, 'exited', { exitCode: 0, reason: 'Completed' }) }), view('b', { current: instance('b', 0, 'running') })] });
    expect(st.phase).toBe('Pending');
    expect(st.containerStatuses![0]!.state).toEqual({ waiting: { reason: 'PodInitializing' } });
    expect(st.initContainerStatuses!.map((c) => Object.keys(c.state)[0])).toEqual(['terminated', 'running']);
    expect(conditions(st)[1]).toBe('Initialized False ContainersNotInitialized containers with incomplete status: [b]');
  });

  it('an init container failing with restartPolicy Never fails the pod', () => {
    const s = spec({ restartPolicy: 'Never', initContainers: [{ name: 'a', image: 'busybox' }] });
    expect(status(s, [view('web', { ready: false })], { init: [view('a', { current: instance('a', 0, 'exited') })] }).phase).toBe('Failed');
  });

  it('readiness gates: Ready waits for the gate condition', () => {
    const s = spec({ readinessGates: [{ conditionType: 'example.com/lb' }] });
    const st = status(s, [view('web', { current: instance('web', 0, 'running') })]);
    expect(conditions(st).slice(2, 4)).toEqual(['Ready False ReadinessGatesNotReady corresponding condition of pod readiness gate "example.com/lb" does not exist.', 'ContainersReady True']);
  });

  it('qosClass and no podIP before one is allocated', () => {
    const st = generatePodStatus({ spec: spec(), oldStatus: undefined, initContainers: [], containers: [view('web')], podIP: undefined, hostIP: '127.18.0.2', sandboxReady: false, podIsTerminal: false });
    expect(st.qosClass).toBe('BestEffort');
    expect(st).not.toHaveProperty('podIP');
    expect(st.conditions![0]).toMatchObject({ type: 'PodReadyToStartContainers', status: 'False' });
  });
});
