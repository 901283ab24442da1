import { Resources } from '@kubelab/client';
import { afterEach, describe, expect, it } from 'vitest';
import { podWorkersEnv, type PodWorkersEnv } from './testing/harness';

let env: PodWorkersEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

/** What `kubectl debug -it` leaves on the pod (through pods/ephemeralcontainers). */
function addDebugger(e: PodWorkersEnv, podName: string): void {
  const pod = structuredClone(e.pod(podName)!);
  (pod.spec as Record<string, unknown>).ephemeralContainers = [{ name: 'debugger-x1', image: 'busybox:1.36.1', stdin: true, tty: true, terminationMessagePolicy: 'File' }];
  e.server.write(Resources.pods, 'MODIFIED', pod);
}

describe('ephemeral containers (kubectl debug)', () => {
  it('starts one added to a running pod, reports it in ephemeralContainerStatuses, and never restarts it; the pod stays Running and Ready', async () => {
    env = await podWorkersEnv();
    const e = env;
    await e.createPod('app', { containers: [{ name: 'web', image: 'nginx' }] });
    await e.until('Running', () => e.status('app').phase === 'Running');
    addDebugger(e, 'app');
    const running = await e.until('the debugger running', () => e.status('app').ephemeralContainerStatuses?.find((s) => s.state.running));
    expect(running).toMatchObject({ name: 'debugger-x1', ready: false, restartCount: 0 });
    expect((await e.events()).filter((line) => line.includes('debugger-x1'))).toEqual(['Normal Created Created container: debugger-x1', 'Normal Started Started container debugger-x1']);
    const started = e.runtime.starts.find((s) => s.config.name === 'debugger-x1');
    expect(started?.config).toMatchObject({ stdin: true, tty: true });

    e.runtime.exit(e.container('app', 'debugger-x1').id, 0);
    const done = await e.until('the debugger terminated', () => e.status('app').ephemeralContainerStatuses?.find((s) => s.state.terminated));
    expect(done).toMatchObject({ restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } });
    expect(e.runtime.starts.filter((s) => s.config.name === 'debugger-x1')).toHaveLength(1);
    const status = e.status('app');
    expect(status.phase).toBe('Running');
    expect(status.conditions!.find((c) => c.type === 'Ready')?.status).toBe('True');
  });
});
