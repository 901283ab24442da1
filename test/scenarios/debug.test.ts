import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { kubectl, startCluster, type Cluster } from '@kubelab/testkit';
import { kubectlSession } from './scenario';

/**
 * `kubectl debug`: an ephemeral container added to a running pod through pods/ephemeralcontainers,
 * started by the pod's kubelet, attached to, and shown by `kubectl describe`; with the real
 * kubectl on a real lab.
 */
describe('kubectl debug (ephemeral containers)', { timeout: 120_000 }, () => {
  let cluster: Cluster;
  const { k, ok } = kubectlSession(() => cluster.kubeconfig);

  beforeAll(async () => {
    cluster = await startCluster();
  }, 120_000);
  afterAll(async () => {
    await cluster?.down();
  });

  it('runs a debug container beside the app, attached to its stdin; the pod stays Running and Ready', async () => {
    ok('run', 'app', '--image=nginx');
    await waitFor(() => ok('get', 'pod', 'app', '-o', 'jsonpath={.status.containerStatuses[0].ready}') === 'true', { timeoutMs: 30_000, what: 'app Ready' });
    const debug = kubectl(cluster.kubeconfig, ['debug', 'app', '-i', '--image=busybox', '--container=dbg', '--', 'sh', '-c', 'read line; echo "got $line from $(hostname)"'], { input: 'hello\n' });
    expect(debug.status, debug.stderr).toBe(0);
    expect(debug.stdout).toContain('got hello from app');
    await waitFor(() => ok('get', 'pod', 'app', '-o', 'jsonpath={.status.ephemeralContainerStatuses[0].state.terminated.reason}') === 'Completed', { timeoutMs: 30_000, what: 'dbg Completed' });

    const describe = ok('describe', 'pod', 'app');
    const section = describe.slice(describe.indexOf('Ephemeral Containers:'), describe.indexOf('Conditions:'));
    expect(section).toMatch(/^Ephemeral Containers:\n {2}dbg:\n/);
    expect(section).toMatch(/\n {4}State: +Terminated\n {6}Reason: +Completed\n {6}Exit Code: +0\n/);
    expect(describe).toMatch(/Normal +Started +\S+ +kubelet +Started container dbg/);
    expect(ok('get', 'pod', 'app', '--no-headers').split(/\s+/).slice(1, 3)).toEqual(['1/1', 'Running']);

    // What an ephemeral container may not have, and one once added, in the apiserver's words.
    const ports = k('patch', 'pod', 'app', '--subresource=ephemeralcontainers', '--type=strategic', '-p', '{"spec":{"ephemeralContainers":[{"name":"web","image":"busybox","ports":[{"containerPort":80}]}]}}');
    expect(ports.stderr.trim()).toMatch(/^The Pod "app" is invalid: spec\.ephemeralContainers\[\d\]\.ports: Forbidden: cannot be set for an Ephemeral Container$/);
    const removed = k('patch', 'pod', 'app', '--subresource=ephemeralcontainers', '--type=json', '-p', '[{"op":"remove","path":"/spec/ephemeralContainers/0"}]');
    expect(removed.stderr.trim()).toBe('The Pod "app" is invalid: spec.ephemeralContainers: Forbidden: existing ephemeral containers "dbg" may not be removed');
  });
});
