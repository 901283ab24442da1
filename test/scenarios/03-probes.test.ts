import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { startCluster, type Cluster } from '@kubelab/testkit';
import { kubectlSession, scenarioManifest, table } from './scenario';

/**
 * Scenario 03 with the real kubectl on a real lab: delayfailserver really turns its /healthz to
 * 503 after 10 s, and the kubelet's probes, restarts and back-off follow. The probes keep the
 * pods' own timings (seconds, as the manifests say); the lab's fast profile only shortens the
 * CrashLoopBackOff, whose doubling stays visible. All pods start at once, so the slow parts
 * overlap.
 */
// Probes keep the pods' own timings (seconds): the liveness walk alone takes a minute or more.
describe('scenario 03: readiness, liveness and startup probes', { timeout: 240_000 }, () => {
  let cluster: Cluster;
  const { k, ok, apply } = kubectlSession(() => cluster.kubeconfig);
  const rows = (...args: string[]) => table(ok(...args));
  const pod = (name: string) => rows('get', 'pod', name, '--no-headers')[0] ?? [];
  const manifest = (name: string) => fs.readFileSync(scenarioManifest(name), 'utf8');
  const started = Date.now();

  beforeAll(async () => {
    cluster = await startCluster();
    apply(manifest('pod-readiness.yaml'));
    apply(manifest('pod-liveness.yaml'));
    apply(manifest('deployment-two-containers.yaml'));
    ok('create', 'service', 'clusterip', 'httpserver', '--tcp=8080:8080');
  }, 120_000);
  afterAll(async () => {
    await cluster?.down();
  });

  it('1: readiness: READY 0/1, then 1/1 after the initial delay, then 0/1 once /healthz fails; RESTARTS 0; unready means no endpoint', async () => {
    const watch = spawn('kubectl', ['get', 'pod', 'httpserver-readiness', '--watch', '--no-headers'], { env: { ...process.env, KUBECONFIG: cluster.kubeconfig } });
    let watched = '';
    watch.stdout.on('data', (c: Buffer) => (watched += c.toString()));
    try {
      await waitFor(() => pod('httpserver-readiness')[1] === '1/1', { timeoutMs: 30_000, what: 'READY 1/1' });
      const readyAt = Date.now();
      // The Service selects app=httpserver: this pod and the liveness one; an unready pod's address moves to notReadyAddresses.
      const ip = ok('get', 'pod', 'httpserver-readiness', '-o', 'jsonpath={.status.podIP}');
      const endpoint = (field: 'addresses' | 'notReadyAddresses') => ok('get', 'endpoints', 'httpserver', '-o', `jsonpath={.subsets[*].${field}[*].ip}`).split(' ').includes(ip);
      await waitFor(() => endpoint('addresses'), { timeoutMs: 10_000, what: 'the ready pod as an endpoint' });
      await waitFor(() => pod('httpserver-readiness')[1] === '0/1', { timeoutMs: 30_000, what: 'READY 0/1 again' });
      expect(Date.now() - readyAt).toBeGreaterThan(2_000);
      expect(pod('httpserver-readiness').slice(1, 4)).toEqual(['0/1', 'Running', '0']);
      await waitFor(() => !endpoint('addresses') && endpoint('notReadyAddresses'), { timeoutMs: 10_000, what: 'the unready pod out of the ready endpoints' });
      // `kubectl get pod --watch` showed the same: 0/1, then 1/1, then 0/1 again.
      await waitFor(() => /1\/1\s+Running[\s\S]*0\/1\s+Running/.test(watched), { timeoutMs: 10_000, what: 'the watch to show 1/1 then 0/1' });
      expect(watched.trim().split('\n')[0]).toMatch(/^httpserver-readiness\s+0\/1\s/);
    } finally {
      watch.kill();
    }
    expect(ok('logs', 'httpserver-readiness')).toMatch(/\S/);
  });

  it('4: two containers, readiness on the wrong port: 1/2 Running; describe says why; logs default to the first container; the fixed port rolls out 2/2', async () => {
    await waitFor(() => {
      const r = rows('get', 'pods', '-l', 'app=hello-server', '--no-headers');
      return r.length === 3 && r.every((p) => p[1] === '1/2' && p[2] === 'Running');
    }, { timeoutMs: 40_000, what: 'three pods 1/2 Running' });
    const name = rows('get', 'pods', '-l', 'app=hello-server', '--no-headers')[0]![0]!;
    const ip = ok('get', 'pod', name, '-o', 'jsonpath={.status.podIP}');
    const describe = () => ok('describe', 'pod', name);
    await waitFor(() => describe().includes('Readiness probe failed'), { timeoutMs: 20_000, what: 'the readiness failure event' });
    const text = describe();
    expect(text).toContain(`Readiness probe failed: Get "http://${ip}:8081/health": dial tcp ${ip}:8081: connect: connection refused`);
    expect(text).toMatch(/hello-server:[\s\S]*?Ready:\s+False[\s\S]*?busybox:[\s\S]*?Ready:\s+True/);
    const logs = k('logs', name);
    expect(logs.stderr).toContain('Defaulted container "hello-server" out of: hello-server, busybox');
    const fixed = fs.readFileSync(scenarioManifest('deployment-two-containers.yaml'), 'utf8').replace('port: 8081', 'port: 8080');
    apply(fixed);
    await waitFor(() => {
      const r = rows('get', 'pods', '-l', 'app=hello-server', '--no-headers');
      return r.length === 3 && r.every((p) => p[1] === '2/2' && p[2] === 'Running');
    }, { timeoutMs: 90_000, what: 'three pods 2/2 Running' });
  });

  it('2: liveness: restarts climb, CrashLoopBackOff in between with a growing back-off; describe shows the probe, Last State and the events', async () => {
    const restarts = () => Number(pod('httpserver-liveness')[3]?.split(' ')[0] ?? 0);
    const statuses = new Set<string>();
    const backOffs = new Set<number>();
    await waitFor(() => {
      statuses.add(pod('httpserver-liveness')[2] ?? '');
      const waiting = ok('get', 'pod', 'httpserver-liveness', '-o', 'jsonpath={.status.containerStatuses[0].state.waiting.message}');
      const m = /^back-off (\d+)s restarting failed container=httpserver pod=httpserver-liveness_default\(.+\)$/.exec(waiting);
      if (m) backOffs.add(Number(m[1]));
      return restarts() >= 3 && statuses.has('CrashLoopBackOff') && backOffs.size >= 2;
    }, { timeoutMs: 180_000, intervalMs: 200, what: 'three restarts, CrashLoopBackOff, and two back-off lengths' });
    // Each back-off is double the one before (the lab's fast profile starts at 1 s, Kubernetes' at 10 s).
    const lengths = [...backOffs].sort((a, b) => a - b);
    for (const length of lengths) expect(Math.log2(length / lengths[0]!) % 1).toBe(0);
    const text = ok('describe', 'pod', 'httpserver-liveness');
    expect(text).toContain('Liveness:       http-get http://:8080/healthz delay=5s timeout=1s period=5s #success=1 #failure=3');
    expect(text).toMatch(/Last State:\s+Terminated\n\s+Reason:\s+Error\n\s+Exit Code:\s+\d+/);
    expect(text).toMatch(/Restart Count:\s+[2-9]/);
    for (const reason of ['Scheduled', 'Pulled', 'Created', 'Started', 'Killing', 'Unhealthy', 'BackOff']) expect(text).toMatch(new RegExp(`\\s${reason}\\s`));
    expect(text).toContain('Container httpserver failed liveness probe, will be restarted');
    expect(text).toContain('Liveness probe failed: HTTP probe failed with statuscode: 503');
    expect(text).toMatch(/Unhealthy\s+\d+s( \(x\d+ over \d+s\))?\s+kubelet\s+Liveness probe failed/);
    expect(Date.now() - started).toBeGreaterThan(25_000);
  });

  it('3: a startup probe holds liveness back until its first success', async () => {
    apply(`apiVersion: v1
kind: Pod
metadata:
  name: slow-start
spec:
  containers:
    - name: app
      image: blux2/hello-server:1.6
      startupProbe:
        httpGet: { path: /healthz, port: 8081 }
        periodSeconds: 1
        failureThreshold: 30
      livenessProbe:
        httpGet: { path: /healthz, port: 8081 }
        periodSeconds: 1
        failureThreshold: 1
`);
    await waitFor(() => ok('describe', 'pod', 'slow-start').includes('Startup probe failed'), { timeoutMs: 30_000, what: 'startup probe failures' });
    await waitFor(() => (ok('describe', 'pod', 'slow-start').match(/Startup probe failed/g) ?? []).length > 0 && /\(x[5-9]\d* over/.test(ok('describe', 'pod', 'slow-start')), { timeoutMs: 30_000, what: 'five startup failures' });
    const text = ok('describe', 'pod', 'slow-start');
    expect(text).not.toContain('Liveness probe failed');
    expect(ok('get', 'pod', 'slow-start', '-o', 'jsonpath={.status.containerStatuses[0].started} {.status.containerStatuses[0].restartCount}')).toBe('false 0');
  });
});
