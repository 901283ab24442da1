import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { startCluster, type Cluster } from '@kubelab/testkit';
import { kubectlSession, table } from './scenario';

/** A busybox pod that sleeps, with a postStart exec hook (`hook`: the command as a YAML list). */
function sleeperWithPostStart(name: string, graceSeconds: number, hook: string): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  terminationGracePeriodSeconds: ${graceSeconds}
  containers:
  - name: main
    image: busybox
    command: ['sleep', '3600']
    lifecycle:
      postStart:
        exec:
          command: ${hook}
`;
}

/**
 * Container lifecycle hooks with the real kubectl on a real lab: postStart runs before the
 * container is reported running, preStop before the SIGTERM of a deletion, and a failing
 * postStart kills the container (FailedPostStartHook, PostStartHookError, then the crash loop).
 * The busybox containers share the host's filesystem, so the hooks leave their trace in a file
 * this test reads.
 */
describe('lifecycle hooks: postStart and preStop', { timeout: 120_000 }, () => {
  let cluster: Cluster;
  const { ok, apply } = kubectlSession(() => cluster.kubeconfig);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelab-hooks-'));
  const trace = path.join(dir, 'trace');
  const lines = () => (fs.existsSync(trace) ? fs.readFileSync(trace, 'utf8').trim().split('\n') : []);
  const events = (pod: string) => table(ok('get', 'events', '--field-selector', `involvedObject.name=${pod}`, '-o', 'custom-columns=TYPE:.type,REASON:.reason,MESSAGE:.message', '--no-headers'));

  beforeAll(async () => {
    cluster = await startCluster();
  }, 120_000);
  afterAll(async () => {
    await cluster?.down();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('postStart runs before the pod is Running; on delete, preStop runs before the SIGTERM', async () => {
    apply(`apiVersion: v1
kind: Pod
metadata:
  name: hooks
spec:
  terminationGracePeriodSeconds: 10
  containers:
  - name: main
    image: busybox
    command: ['sh', '-c', 'trap "echo TERM >> $F; exit 0" TERM; while true; do sleep 0.1; done']
    env:
    - name: F
      value: ${trace}
    lifecycle:
      postStart:
        exec:
          command: ['sh', '-c', 'sleep 1; echo postStart >> $F']
      preStop:
        exec:
          command: ['sh', '-c', 'echo preStop >> $F; sleep 1']
`);
    await waitFor(() => ok('get', 'pod', 'hooks', '-o', 'jsonpath={.status.phase}') === 'Running', { timeoutMs: 30_000, what: 'the pod Running' });
    // The status said Running only once the hook (which sleeps first) was done.
    expect(lines()).toEqual(['postStart']);
    expect(events('hooks').map((e) => e[1])).toEqual(expect.arrayContaining(['Created', 'Started']));

    ok('delete', 'pod', 'hooks', '--wait=false');
    await waitFor(() => lines().includes('TERM'), { timeoutMs: 20_000, what: 'the container to get its SIGTERM' });
    expect(lines()).toEqual(['postStart', 'preStop', 'TERM']);
    expect(events('hooks')).toContainEqual(['Normal', 'Killing', 'Stopping container main']);
    expect(events('hooks').map((e) => e[1])).not.toContain('FailedPreStopHook');
  });

  it('a postStart hook that never ends holds the pod in ContainerCreating; a delete still finishes within the grace period', async () => {
    apply(sleeperWithPostStart('stuck-hook', 2, "['sleep', '3600']"));
    await waitFor(() => events('stuck-hook').some((e) => e[1] === 'Started'), { timeoutMs: 30_000, what: 'the container to start' });
    await waitFor(() => table(ok('get', 'pod', 'stuck-hook', '--no-headers'))[0]?.[2] === 'ContainerCreating', { timeoutMs: 10_000, what: 'ContainerCreating' });
    const deleting = Date.now();
    ok('delete', 'pod', 'stuck-hook', '--timeout=30s');
    expect(Date.now() - deleting).toBeLessThan(15_000);
    expect(ok('get', 'pods', '--field-selector', 'metadata.name=stuck-hook', '-o', 'name')).toBe('');
  });

  it('a failing postStart kills the container: FailedPostStartHook, Killing, PostStartHookError, then CrashLoopBackOff', async () => {
    const watch = spawn('kubectl', ['get', 'pods', '--field-selector', 'metadata.name=bad-hook', '--watch', '--no-headers'], { env: { ...process.env, KUBECONFIG: cluster.kubeconfig } });
    let watched = '';
    watch.stdout.on('data', (c: Buffer) => (watched += c.toString()));
    try {
      // A watch by field selector may start before the pod exists. Each failed start (the hook
      // takes a second) shows PostStartHookError before the back-off: the watch sees one of them.
      apply(sleeperWithPostStart('bad-hook', 5, "['sh', '-c', 'sleep 1; echo no >&2; exit 7']"));
      await waitFor(() => /CrashLoopBackOff/.test(watched), { timeoutMs: 60_000, what: 'CrashLoopBackOff' });
      expect(watched).toMatch(/^bad-hook\s+0\/1\s+PostStartHookError\s+\d+/m);
      const seen = events('bad-hook');
      // The hook's output stays out of the event, as on Kubernetes.
      expect(seen).toContainEqual(['Warning', 'FailedPostStartHook', 'PostStartHook failed']);
      expect(seen).toContainEqual(['Normal', 'Killing', 'FailedPostStartHook']);
      expect(Number(ok('get', 'pod', 'bad-hook', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}'))).toBeGreaterThanOrEqual(1);
      // The last instance was stopped after the hook failed: SIGTERM within the grace period.
      expect(ok('get', 'pod', 'bad-hook', '-o', 'jsonpath={.status.containerStatuses[0].lastState.terminated.exitCode}')).toBe('143');
    } finally {
      watch.kill();
    }
  });
});
