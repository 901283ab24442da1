import { describe, expect, it } from 'vitest';
import { componentUserAgent, ObjectsClient, Resources } from '@kubelab/client';
import { apiserverSession } from './apiserver-session';

interface Entry {
  manager: string;
  operation: string;
  apiVersion: string;
  subresource?: string;
  time?: string;
  fieldsType: string;
  fieldsV1: Record<string, unknown>;
}

/**
 * managedFields of writes that are not applies, through the real kubectl: each writer (its
 * --field-manager, kubectl's `kubectl-<command>`, or the first part of its user agent) gets an
 * Update entry with the fields it set, a later writer takes the fields it changes, and a
 * server-side apply then conflicts with them in Kubernetes' words.
 */
describe('managedFields: who set what', () => {
  const { k, ok, apiserver } = apiserverSession();
  const entries = (resource: string): Entry[] => JSON.parse(ok(['get', resource, '-o', 'jsonpath={.metadata.managedFields}'])) as Entry[];
  const who = (list: Entry[]) => list.map((e) => [e.manager, e.operation, e.subresource ?? ''].join(' '));

  it('create, label and scale each record their writer and fields; an apply conflicts with the scale', () => {
    ok(['create', 'deployment', 'web', '--image=nginx:1.27']);
    const created = entries('deployment/web');
    expect(who(created)).toEqual(['kubectl-create Update ']);
    expect(created[0]).toMatchObject({ apiVersion: 'apps/v1', fieldsType: 'FieldsV1' });
    expect(created[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // The object as stored, defaults too, is the creator's.
    expect(created[0]!.fieldsV1).toMatchObject({ 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:replicas': {}, 'f:progressDeadlineSeconds': {} } });

    ok(['label', 'deployment', 'web', 'tier=front']);
    ok(['scale', 'deployment', 'web', '--replicas=3']);
    const after = entries('deployment/web');
    expect(who(after).sort()).toEqual(['kubectl Update scale', 'kubectl-create Update ', 'kubectl-label Update ']);
    const byManager = (name: string) => after.find((e) => e.manager === name)!.fieldsV1;
    expect(byManager('kubectl-label')).toEqual({ 'f:metadata': { 'f:labels': { 'f:tier': {} } } });
    expect(byManager('kubectl')).toEqual({ 'f:spec': { 'f:replicas': {} } });
    // The creator no longer owns the replicas it set: the scale took them.
    expect((byManager('kubectl-create')['f:spec'] as Record<string, unknown>)['f:replicas']).toBeUndefined();

    const r = k(['apply', '--server-side', '-f', '-'], 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas');
    // --force-conflicts takes the field for the applier.
    ok(['apply', '--server-side', '--force-conflicts', '-f', '-'], 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n');
    expect(who(entries('deployment/web'))).toEqual(['kubectl Apply ', 'kubectl-create Update ', 'kubectl-label Update ']);
  });

  it('a write that changes nothing keeps the entries; removing a label takes it from its setter', () => {
    ok(['create', 'configmap', 'settings', '--from-literal=a=1']);
    ok(['label', 'configmap', 'settings', 'team=x']);
    const before = entries('configmap/settings');
    ok(['label', 'configmap', 'settings', 'team=x', '--overwrite']);
    expect(entries('configmap/settings')).toEqual(before);
    ok(['label', 'configmap', 'settings', 'team-']);
    expect(who(entries('configmap/settings'))).toEqual(['kubectl-create Update ']);
  });

  it('--field-manager names the writer; one over 128 bytes is refused on the options', () => {
    ok(['create', 'configmap', 'named', '--from-literal=a=1', '--field-manager=my-tool']);
    expect(who(entries('configmap/named'))).toEqual(['my-tool Update ']);
    const r = k(['create', 'configmap', 'long', '--from-literal=a=1', `--field-manager=${'x'.repeat(129)}`]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('error: failed to create configmap: CreateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes\n');
    expect(k(['get', 'configmap', 'long']).stderr).toContain('NotFound');
  });

  it('an 11th writer leaves 10 Update entries: the two oldest merge into ancient-changes', () => {
    ok(['create', 'configmap', 'crowded', '--from-literal=a=1', '--field-manager=writer-00']);
    for (let i = 1; i <= 10; i++) ok(['label', 'configmap', 'crowded', `w${i}=x`, `--field-manager=writer-${String(i).padStart(2, '0')}`]);
    const list = entries('configmap/crowded');
    expect(list).toHaveLength(10);
    const managers = list.map((e) => e.manager);
    expect(managers).toContain('ancient-changes');
    expect(managers).toContain('writer-10');
    // The bucket holds the fields of the two it took: the creator's data and writer-01's label.
    const bucket = list.find((e) => e.manager === 'ancient-changes')!;
    expect(bucket).toMatchObject({ operation: 'Update', apiVersion: 'v1' });
    expect(bucket.fieldsV1).toMatchObject({ 'f:data': { 'f:a': {} }, 'f:metadata': { 'f:labels': { 'f:w1': {} } } });
  });

  it('an apply configuration with duplicate list entries is refused in structured-merge-diff\'s words, and nothing is written', () => {
    const manifest = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: ssa-test}',
      'spec:',
      '  selector: {matchLabels: {app: s}}',
      '  template:',
      '    metadata: {labels: {app: s}}',
      '    spec:',
      '      containers:',
      '      - name: c',
      '        image: nginx',
      '        env: [{name: FOO, value: a}, {name: FOO, value: b}]',
      '        ports: [{containerPort: 93}, {containerPort: 93, protocol: TCP}]',
      '',
    ].join('\n');
    const r = k(['apply', '--server-side', '-f', '-'], manifest);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      [
        'Error from server: failed to create typed patch object (default/ssa-test; apps/v1, Kind=Deployment): errors:',
        '  .spec.template.spec.containers[name="c"].env: duplicate entries for key [name="FOO"]',
        '  .spec.template.spec.containers[name="c"].ports: duplicate entries for key [containerPort=93,protocol="TCP"]',
        '',
      ].join('\n'),
    );
    expect(k(['get', 'deployment', 'ssa-test']).stderr).toContain('NotFound');
    // A client-side create keeps what it is given, as Kubernetes does (with its warnings); only apply types the configuration.
    const created = k(['create', '-f', '-'], manifest);
    expect(created.stdout).toBe('deployment.apps/ssa-test created\n');
    expect(created.stderr).toBe(
      [
        'Warning: spec.template.spec.containers[0].env[1]: hides previous definition of "FOO", which may be dropped when using apply',
        'Warning: spec.template.spec.containers[0].ports[1]: duplicate port definition with spec.template.spec.containers[0].ports[0]',
        '',
      ].join('\n'),
    );
  });

  it("a component's writes over gRPC are recorded by its user agent; a status write in an entry of its own", async () => {
    const client = new ObjectsClient(apiserver().grpcEndpoint, { userAgent: componentUserAgent('kube-controller-manager') });
    try {
      const created = await client.create(Resources.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'from-grpc', namespace: 'default' }, data: { a: '1' } });
      expect(who(created.metadata.managedFields as Entry[])).toEqual(['kube-controller-manager Update ']);
      ok(['create', 'deployment', 'status-test', '--image=nginx:1.27']);
      const deployment = await client.get(Resources.deployments, 'default', 'status-test');
      await client.updateStatus(Resources.deployments, { ...deployment, status: { observedGeneration: 1, replicas: 1 } });
      const list = entries('deployment/status-test');
      // (Sorted by time in whole seconds first, then by manager: the order depends on the clock.)
      expect(who(list).sort()).toEqual(['kube-controller-manager Update status', 'kubectl-create Update ']);
      expect(list.find((e) => e.subresource === 'status')!.fieldsV1).toEqual({ 'f:status': { 'f:observedGeneration': {}, 'f:replicas': {} } });
    } finally {
      client.close();
    }
  });
});
