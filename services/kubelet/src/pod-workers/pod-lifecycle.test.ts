import { ContainerStartError as FakeContainerStartError } from './testing/fake-runtime';
import { podStatusColumns } from '../../../apiserver/src/registry/resources/pods';
import { afterEach, describe, expect, it } from 'vitest';
import { podWorkersEnv, NODE_IP, type PodWorkersEnv } from './testing/harness';

let env: PodWorkersEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const nginx = { name: 'web', image: 'nginx' };

describe('PodWorkers: a pod starts', () => {
  it('runs the pod bound here: IP from the podCIDR, status Running and Ready with the kubelet conditions, events Pulling/Pulled/Created/Started', async () => {
    env = await podWorkersEnv();
    const e = env;
    const pod = await e.createPod('web-1', { containers: [nginx] });
    const status = await e.until('Running', () => (e.status('web-1').phase === 'Running' ? e.status('web-1') : undefined));
    expect(status.podIP).toBe('127.244.1.2');
    expect(status.podIPs).toEqual([{ ip: '127.244.1.2' }]);
    expect(status.hostIP).toBe(NODE_IP);
    expect(status.hostIPs).toEqual([{ ip: NODE_IP }]);
    expect(status.qosClass).toBe('BestEffort');
    expect(status.startTime).toBe('2026-01-01T00:00:00Z');
    expect(status.conditions!.map((c) => `${c.type}=${c.status}`)).toEqual(['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
    const [c] = status.containerStatuses!;
    expect(c).toMatchObject({ name: 'web', ready: true, started: true, restartCount: 0, image: 'docker.io/library/nginx:latest', state: { running: { startedAt: '2026-01-01T00:00:00Z' } }, lastState: {} });
    expect(c!.containerID).toMatch(/^kubelab:\/\/[0-9a-f]{64}$/);
    expect(e.runtime.starts[0]!.pod).toMatchObject({ uid: pod.metadata.uid, name: 'web-1', namespace: 'default', ip: '127.244.1.2', hostname: 'web-1' });
    expect(await e.events()).toEqual([
      'Normal Pulling Pulling image "nginx"',
      'Normal Pulled Successfully pulled image "nginx" in 512ms (512ms including waiting). Image size: 1000 bytes.',
      'Normal Created Created container: web',
      'Normal Started Started container web',
    ]);
    expect(e.workers.runningPods()).toEqual([{ namespace: 'default', name: 'web-1', uid: pod.metadata.uid, containers: [{ name: 'web', id: c!.containerID }] }]);
  });

  it('writes one status for a pod that starts at once (the status before the start is coalesced with the one after)', async () => {
    env = await podWorkersEnv();
    const e = env;
    await e.createPod('one-write', { containers: [nginx] });
    await e.until('Running', () => e.status('one-write').phase === 'Running');
    await e.workers.idle();
    expect(e.server.calls.UpdateStatus).toBe(1);
    expect(e.status('one-write').podIP).toBe('127.244.1.2');
  });

  it('ignores pods bound to other nodes', async () => {
    env = await podWorkersEnv();
    await env.createPod('elsewhere', { containers: [nginx], nodeName: 'node-2' });
    await env.createPod('here', { containers: [nginx] });
    await env.until('here running', () => env!.status('here').phase === 'Running');
    expect(env.runtime.starts.map((s) => s.pod.name)).toEqual(['here']);
    expect(env.status('elsewhere').phase).toBe('Pending');
  });
});

/** READY, STATUS and RESTARTS as `kubectl get pods` prints them (the apiserver's own printer). */
async function columns(e: PodWorkersEnv, name: string): Promise<string> {
  const c = podStatusColumns(e.pod(name)!, new Date(e.clock.now()));
  return `${c.ready} ${c.reason} ${c.restarts}`;
}

describe('PodWorkers: init containers', () => {
  const spec = { initContainers: [{ name: 'init-a', image: 'busybox:1.36.1' }, { name: 'init-b', image: 'busybox:1.36.1' }], containers: [nginx] };

  it('runs init containers one at a time, each to exit 0 before the next, then the containers', async () => {
    env = await podWorkersEnv();
    const e = env;
    await e.createPod('init', spec);
    await e.until('init-a running', () => e.status('init').initContainerStatuses?.[0]?.state.running);
    let status = e.status('init');
    expect(e.runtime.starts.map((s) => s.config.name)).toEqual(['init-a']);
    expect(status.phase).toBe('Pending');
    expect(status.initContainerStatuses![1]!.state).toEqual({ waiting: { reason: 'PodInitializing' } });
    expect(status.containerStatuses![0]!.state).toEqual({ waiting: { reason: 'PodInitializing' } });
    expect(status.conditions!.find((c) => c.type === 'Initialized')).toMatchObject({ status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [init-a init-b]' });
    expect(await columns(e, 'init')).toBe('0/1 Init:0/2 0');

    e.runtime.exit(e.container('init', 'init-a').id, 0);
    await e.until('init-b running', () => e.status('init').initContainerStatuses?.[1]?.state.running);
    expect(await columns(e, 'init')).toBe('0/1 Init:1/2 0');
    e.runtime.exit(e.container('init', 'init-b').id, 0);
    await e.until('Running', () => e.status('init').phase === 'Running');
    status = e.status('init');
    expect(e.runtime.starts.map((s) => s.config.name)).toEqual(['init-a', 'init-b', 'web']);
    expect(status.initContainerStatuses!.map((c) => c.state.terminated?.reason)).toEqual(['Completed', 'Completed']);
    expect(status.conditions!.find((c) => c.type === 'Initialized')!.status).toBe('True');
    expect(await columns(e, 'init')).toBe('1/1 Running 0');
  });

  it('restarts a failed init container with back-off (restartPolicy Always)', async () => {
    env = await podWorkersEnv({ crashLoopBackOff: { initialMs: 1_000, maxMs: 8_000 } });
    const e = env;
    await e.createPod('init', spec);
    await e.until('init-a running', () => e.status('init').initContainerStatuses?.[0]?.state.running);
    e.runtime.exit(e.container('init', 'init-a').id, 1);
    await e.until('init-a restarted', () => e.status('init').initContainerStatuses?.[0]?.restartCount === 1);
    e.runtime.exit(e.container('init', 'init-a').id, 1);
    await e.until('CrashLoopBackOff', () => e.status('init').initContainerStatuses?.[0]?.state.waiting?.reason === 'CrashLoopBackOff');
    expect(await columns(e, 'init')).toBe('0/1 Init:CrashLoopBackOff 1 (0s ago)');
    await e.clock.advance(1_000);
    await e.until('init-a restarted again', () => e.status('init').initContainerStatuses?.[0]?.restartCount === 2);
    expect(e.runtime.starts.map((s) => s.config.name)).toEqual(['init-a', 'init-a', 'init-a']);
  });

  it('fails the pod when an init container fails and restartPolicy is Never', async () => {
    env = await podWorkersEnv();
    const e = env;
    await e.createPod('init', { ...spec, restartPolicy: 'Never' });
    await e.until('init-a running', () => e.status('init').initContainerStatuses?.[0]?.state.running);
    e.runtime.exit(e.container('init', 'init-a').id, 2);
    await e.until('Failed', () => e.status('init').phase === 'Failed');
    expect(e.runtime.starts.map((s) => s.config.name)).toEqual(['init-a']);
    expect(e.status('init').initContainerStatuses![0]!.state.terminated).toMatchObject({ exitCode: 2, reason: 'Error' });
    expect(await columns(e, 'init')).toBe('0/1 Init:Error 0');
  });
});

describe('PodWorkers: restart policies', () => {
  it('Always restarts a container that exited, even with 0; RESTARTS shows it', async () => {
    env = await podWorkersEnv();
    const e = env;
    await e.createPod('always', { containers: [nginx] });
    await e.until('Running', () => e.status('always').phase === 'Running');
    e.clock.step(60_000);
    e.runtime.exit(e.container('always', 'web').id, 0);
    await e.until('restarted', () => e.status('always').containerStatuses?.[0]?.restartCount === 1 && e.status('always').containerStatuses?.[0]?.state.running);
    const c = e.status('always').containerStatuses![0]!;
    expect(c.lastState.terminated).toMatchObject({ exitCode: 0, reason: 'Completed', finishedAt: '2026-01-01T00:01:00Z' });
    expect(e.runtime.starts[1]!.config.attempt).toBe(1);
    e.clock.step(5_000);
    expect(await columns(e, 'always')).toBe('1/1 Running 1 (5s ago)');
  });

  it('OnFailure restarts after a failure and the pod Succeeds after exit 0; its IP is released', async () => {
    env = await podWorkersEnv();
    const e = env;
    await e.createPod('job', { containers: [nginx], restartPolicy: 'OnFailure' });
    await e.until('Running', () => e.status('job').phase === 'Running');
    e.runtime.exit(e.container('job', 'web').id, 3);
    await e.until('restarted', () => e.status('job').containerStatuses?.[0]?.restartCount === 1 && e.status('job').containerStatuses?.[0]?.state.running);
    e.runtime.exit(e.container('job', 'web').id, 0);
    await e.until('Succeeded', () => e.status('job').phase === 'Succeeded');
    const status = e.status('job');
    expect(e.runtime.starts).toHaveLength(2);
    expect(status.conditions!.map((c) => `${c.type}=${c.status}${c.reason ? `/${c.reason}` : ''}`)).toEqual([
      'PodReadyToStartContainers=False',
      'Initialized=True/PodCompleted',
      'Ready=False/PodCompleted',
      'ContainersReady=False/PodCompleted',
      'PodScheduled=True',
    ]);
    expect(status.podIP).toBe('127.244.1.2');
    expect(e.ipam.get(e.pod('job')!.metadata.uid!)).toBeUndefined();
    expect(await columns(e, 'job')).toBe('0/1 Completed 1 (0s ago)');
  });

  it('Never leaves a failed container terminated and the pod Failed', async () => {
    env = await podWorkersEnv();
    const e = env;
    await e.createPod('once', { containers: [nginx, { name: 'side', image: 'busybox:1.36.1' }], restartPolicy: 'Never' });
    await e.until('Running', () => e.status('once').phase === 'Running');
    e.runtime.exit(e.container('once', 'web').id, 1);
    await e.until('web terminated', () => e.status('once').containerStatuses?.[0]?.state.terminated);
    expect(e.status('once').phase).toBe('Running');
    expect(await columns(e, 'once')).toBe('1/2 Error 0');
    e.runtime.exit(e.container('once', 'side').id, 0);
    await e.until('Failed', () => e.status('once').phase === 'Failed');
    expect(e.runtime.starts).toHaveLength(2);
  });
});

describe('PodWorkers: containers that cannot start', () => {
  it('a start error shows RunContainerError with StartError in lastState, then CrashLoopBackOff', async () => {
    env = await podWorkersEnv();
    const e = env;
    const ContainerStartError = FakeContainerStartError;
    e.runtime.startErrors.set('web', { error: new ContainerStartError('failed to create containerd task: exec: "nope": executable file not found in $PATH'), sticky: true });
    await e.createPod('broken', { containers: [nginx] });
    await e.until('CrashLoopBackOff', () => e.status('broken').containerStatuses?.[0]?.state.waiting?.reason === 'CrashLoopBackOff');
    const c = e.status('broken').containerStatuses![0]!;
    expect(c.lastState.terminated).toMatchObject({ exitCode: 128, reason: 'StartError', message: 'failed to create containerd task: exec: "nope": executable file not found in $PATH', startedAt: '1970-01-01T00:00:00Z' });
    expect(c.restartCount).toBe(1);
    const events = await e.events();
    expect(events).toContain('Warning Failed Error: failed to create containerd task: exec: "nope": executable file not found in $PATH');
    expect(events.filter((x) => x.startsWith('Warning BackOff'))).toHaveLength(1);
  });

  it('a missing ConfigMap gives CreateContainerConfigError and the event Kubernetes gives; the container starts once it exists', async () => {
    env = await podWorkersEnv({ crashLoopBackOff: { initialMs: 1_000, maxMs: 8_000 } });
    const e = env;
    await e.createPod('cfg', { containers: [{ ...nginx, env: [{ name: 'MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode' } } }] }] });
    await e.until('CreateContainerConfigError', () => e.status('cfg').containerStatuses?.[0]?.state.waiting?.reason === 'CreateContainerConfigError');
    expect(e.status('cfg').containerStatuses![0]!.state.waiting!.message).toBe('configmap "settings" not found');
    expect(await e.events()).toContain('Warning Failed Error: configmap "settings" not found');
    const { Resources } = await import('@kubelab/client');
    await e.client.create(Resources.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default' }, data: { mode: 'fast' } });
    await e.clock.advance(1_000);
    await e.until('Running', () => e.status('cfg').phase === 'Running');
    expect(e.runtime.starts[0]!.config.env.MODE).toBe('fast');
  });
});

describe('PodWorkers: the sandbox', () => {
  it('gives containers the service links of the namespace, the pod DNS settings and the KUBELAB_* variables', async () => {
    const { Resources } = await import('@kubelab/client');
    env = await podWorkersEnv({ fixtures: [[Resources.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'redis', namespace: 'default' }, spec: { clusterIP: '127.96.0.20', ports: [{ port: 6379 }] } }]] });
    const e = env;
    await e.createPod('app', { containers: [{ name: 'web', image: 'nginx', env: [{ name: 'ME', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }] }] });
    await e.until('Running', () => e.status('app').phase === 'Running');
    const { pod, config } = e.runtime.starts[0]!;
    expect(pod.dns).toEqual({ nameservers: ['127.96.0.10'], searches: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], options: ['ndots:5'] });
    expect(config.env).toMatchObject({ REDIS_SERVICE_HOST: '127.96.0.20', REDIS_PORT: 'tcp://127.96.0.20:6379', ME: '127.244.1.2', HOSTNAME: 'app', KUBELAB_POD_IP: '127.244.1.2', KUBELAB_NAMESERVER: '127.96.0.10' });
  });

  it('without cluster DNS a ClusterFirst pod gets the node resolution and a MissingClusterDNS warning', async () => {
    env = await podWorkersEnv({ dns: null });
    const e = env;
    await e.createPod('nodns', { containers: [nginx] });
    await e.until('Running', () => e.status('nodns').phase === 'Running');
    expect(e.runtime.starts[0]!.pod.dns).toBeUndefined();
    expect(await e.events()).toContain('Warning MissingClusterDNS kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.');
  });

  it('no pod IP left: FailedCreatePodSandBox, the pod stays Pending and gets one once an IP is free', async () => {
    env = await podWorkersEnv({ cidr: '127.244.9.0/30' });
    const e = env;
    await e.createPod('first', { containers: [nginx] });
    await e.until('first Running', () => e.status('first').phase === 'Running');
    await e.createPod('second', { containers: [nginx] });
    await e.until('sandbox failure', async () => (await e.events()).some((x) => x.startsWith('Warning FailedCreatePodSandBox')));
    expect((await e.events()).find((x) => x.includes('FailedCreatePodSandBox'))).toBe(
      'Warning FailedCreatePodSandBox Failed to create pod sandbox: failed to allocate for range 0: no IP addresses available in range set: 127.244.9.2-127.244.9.2',
    );
    expect(e.status('second').phase).toBe('Pending');
    expect(e.status('second').conditions![0]).toMatchObject({ type: 'PodReadyToStartContainers', status: 'False' });
    const { Resources } = await import('@kubelab/client');
    await e.client.delete(Resources.pods, 'default', 'first', { gracePeriodSeconds: 0 });
    await e.until('IP released', () => e.ipam.podUids().length === 0);
    await e.workers.idle();
    await e.clock.advance(10_000);
    await e.until('second Running', () => e.status('second').phase === 'Running');
    expect(e.status('second').podIP).toBe('127.244.9.2');
  });

  it('a sidecar (restartable init container) starts first and keeps running next to the containers', async () => {
    env = await podWorkersEnv();
    const e = env;
    const pod = await e.createPod('side', { initContainers: [{ name: 'proxy', image: 'busybox:1.36.1', restartPolicy: 'Always' }], containers: [nginx] });
    await e.until('Running', () => e.status('side').phase === 'Running');
    expect(e.runtime.starts.map((s) => s.config.name)).toEqual(['proxy', 'web']);
    expect(e.status('side').initContainerStatuses![0]!.state.running).toBeDefined();
    e.runtime.exit(e.container('side', 'proxy').id, 1);
    await e.until('sidecar restarted', () => e.status('side').initContainerStatuses?.[0]?.restartCount === 1 && e.status('side').initContainerStatuses?.[0]?.state.running);
    expect(e.runtime.starts.map((s) => s.config.name)).toEqual(['proxy', 'web', 'proxy']);
    expect(pod.metadata.uid).toBeDefined();
  });
});
