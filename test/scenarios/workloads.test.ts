import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { kubectlAsync, startControlPlane, type ControlPlane } from '@kubelab/testkit';
import { kubectlSession } from './scenario';

/**
 * The rest of the controller-manager through the real kubectl: DaemonSets and StatefulSets,
 * cascading deletion in its three flavours, and the rollout verbs beyond status and undo.
 */
describe('workload controllers and cascading deletion with the real kubectl', () => {
  let cp: ControlPlane;
  const { k, ok, apply, rows } = kubectlSession(() => cp.apiserver.kubeconfig);
  const replicaSets = (app: string) => rows('get', 'rs', '-l', `app=${app}`, '--no-headers');

  beforeAll(async () => {
    cp = await startControlPlane();
  });
  afterAll(async () => {
    await cp?.stop();
  });

  it('a DaemonSet runs one pod on each node it tolerates (not on the tainted control plane), and on every node with a toleration', async () => {
    const ds = (name: string, tolerations = '') => `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ${name}
spec:
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
${tolerations}      containers:
      - name: agent
        image: busybox
`;
    expect(apply(ds('agent'))).toBe('daemonset.apps/agent created\n');
    expect(apply(ds('everywhere', '      tolerations:\n      - {key: node-role.kubernetes.io/control-plane, operator: Exists, effect: NoSchedule}\n'))).toBe('daemonset.apps/everywhere created\n');
    await waitFor(() => rows('get', 'ds', 'agent', '--no-headers')[0]?.slice(1, 6).join(' ') === '2 2 2 2 2', { timeoutMs: 20_000, what: 'agent on 2 nodes' });
    await waitFor(() => rows('get', 'ds', 'everywhere', '--no-headers')[0]?.slice(1, 6).join(' ') === '3 3 3 3 3', { timeoutMs: 20_000, what: 'everywhere on 3 nodes' });
    const nodes = rows('get', 'pods', '-l', 'app=agent', '-o', 'custom-columns=NODE:.spec.nodeName', '--no-headers').map((r) => r[0]).sort();
    expect(nodes).toEqual(['kubelab-worker', 'kubelab-worker2']);
    expect(rows('get', 'ds')[0]).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE']);
    expect(ok('rollout', 'history', 'daemonset/agent')).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>/);
    ok('delete', 'ds', 'agent', 'everywhere');
  });

  it('a StatefulSet creates web-0, web-1, web-2 in order and removes them from the highest ordinal down', async () => {
    apply(`apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: nginx
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx
`);
    await waitFor(() => rows('get', 'sts', 'web', '--no-headers')[0]?.[1] === '3/3', { timeoutMs: 30_000, what: 'web 3/3' });
    const byAge = rows('get', 'pods', '-l', 'app=web', '--sort-by=.metadata.creationTimestamp', '-o', 'custom-columns=NAME:.metadata.name,HOST:.spec.hostname,SUB:.spec.subdomain', '--no-headers');
    expect(byAge).toEqual([
      ['web-0', 'web-0', 'nginx'],
      ['web-1', 'web-1', 'nginx'],
      ['web-2', 'web-2', 'nginx'],
    ]);
    expect(ok('scale', 'sts', 'web', '--replicas=1')).toBe('statefulset.apps/web scaled\n');
    await waitFor(() => rows('get', 'pods', '-l', 'app=web', '--no-headers').map((r) => r[0]).join() === 'web-0', { timeoutMs: 30_000, what: 'only web-0 left' });
    const events = () => ok('get', 'events', '--field-selector', 'involvedObject.name=web', '-o', 'custom-columns=REASON:.reason,MESSAGE:.message', '--no-headers');
    await waitFor(() => events().includes('SuccessfulDelete'), { timeoutMs: 10_000, what: 'the SuccessfulDelete event' });
    expect(events()).toMatch(/SuccessfulCreate\s+create Pod web-0 in StatefulSet web successful/);
    expect(events()).toMatch(/SuccessfulDelete\s+delete Pod web-2 in StatefulSet web successful/);
    ok('delete', 'sts', 'web');
  });

  it('delete --cascade=orphan leaves the ReplicaSet without its owner; --cascade=foreground deletes the dependents first', async () => {
    ok('create', 'deployment', 'orphaned', '--image=nginx');
    await waitFor(() => replicaSets('orphaned').length === 1, { timeoutMs: 15_000, what: 'the ReplicaSet of orphaned' });
    expect(ok('delete', 'deployment', 'orphaned', '--cascade=orphan')).toBe('deployment.apps "orphaned" deleted\n');
    await waitFor(() => k('get', 'deployment', 'orphaned').status !== 0, { timeoutMs: 15_000, what: 'the deployment gone' });
    const rs = replicaSets('orphaned')[0]![0]!;
    await waitFor(() => ok('get', 'rs', rs, '-o', 'jsonpath={.metadata.ownerReferences}') === '', { timeoutMs: 15_000, what: 'the ownerReference removed' });
    ok('delete', 'rs', rs);

    ok('create', 'deployment', 'fg', '--image=nginx');
    await waitFor(() => rows('get', 'pods', '-l', 'app=fg', '--no-headers').length === 1, { timeoutMs: 15_000, what: 'the pod of fg' });
    const deleted = await kubectlAsync(cp.apiserver.kubeconfig, ['delete', 'deployment', 'fg', '--cascade=foreground', '--timeout=30s']);
    expect(deleted.stdout).toBe('deployment.apps "fg" deleted\n');
    // kubectl waited for the deployment to go, which foreground deletion holds until its dependents are gone.
    expect(replicaSets('fg')).toEqual([]);
    expect(rows('get', 'pods', '-l', 'app=fg', '--no-headers')).toEqual([]);
  });

  it('rollout pause holds a template change; resume rolls it out; restart makes a new ReplicaSet', async () => {
    ok('create', 'deployment', 'paused', '--image=nginx:1.25.2', '--replicas=2');
    await waitFor(() => rows('get', 'deploy', 'paused', '--no-headers')[0]?.[1] === '2/2', { timeoutMs: 20_000, what: 'paused 2/2' });
    expect(ok('rollout', 'pause', 'deployment/paused')).toBe('deployment.apps/paused paused\n');
    ok('set', 'image', 'deployment/paused', 'nginx=nginx:1.25.3');
    await waitFor(() => ok('get', 'deploy', 'paused', '-o', 'jsonpath={.status.conditions[?(@.type=="Progressing")].reason}') === 'DeploymentPaused', { timeoutMs: 15_000, what: 'DeploymentPaused' });
    expect(replicaSets('paused')).toHaveLength(1);
    expect(ok('rollout', 'resume', 'deployment/paused')).toBe('deployment.apps/paused resumed\n');
    const resumed = await kubectlAsync(cp.apiserver.kubeconfig, ['rollout', 'status', 'deployment/paused', '--timeout=60s']);
    expect(resumed.stdout).toContain('successfully rolled out');
    expect(replicaSets('paused')).toHaveLength(2);
    expect(ok('rollout', 'restart', 'deployment/paused')).toBe('deployment.apps/paused restarted\n');
    const restarted = await kubectlAsync(cp.apiserver.kubeconfig, ['rollout', 'status', 'deployment/paused', '--timeout=60s']);
    expect(restarted.stdout).toContain('successfully rolled out');
    expect(replicaSets('paused')).toHaveLength(3);
    expect(ok('rollout', 'history', 'deployment/paused')).toMatch(/\n3\s+<none>/);
  });
});
