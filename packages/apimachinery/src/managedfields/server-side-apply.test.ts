import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../patch/json-value';
import { fieldPathString, fieldSetOf, leaves } from './fields-v1';
import { ApplyConflictError, serverSideApply, type ManagedFieldsEntry } from './server-side-apply';

const deployment = (spec: JsonObject, metadata: JsonObject = {}): JsonObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', ...metadata }, spec });
const options = (manager: string, force = false) => ({ manager, force, kind: 'Deployment', apiVersion: 'apps/v1', now: '2026-11-23T12:00:00Z' });
const containers = (...list: JsonObject[]): JsonObject => ({ template: { spec: { containers: list } } });
const entries = (object: JsonObject) => (object.metadata as unknown as { managedFields: ManagedFieldsEntry[] }).managedFields;

describe('field sets (FieldsV1)', () => {
  it('keys merged lists by their merge key, sets by value, and leaves atomic lists, identity and status out', () => {
    const set = fieldSetOf(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'default', resourceVersion: '7', labels: { app: 'web' }, finalizers: ['a/b'] },
        spec: { replicas: 2, template: { spec: { containers: [{ name: 'nginx', image: 'nginx', args: ['-x'], env: [{ name: 'A', value: '1' }] }], tolerations: [{ key: 'k' }] } } },
        status: { replicas: 2 },
      },
      'Deployment',
    );
    expect(set).toEqual({
      'f:metadata': { 'f:labels': { 'f:app': {} }, 'f:finalizers': { 'v:"a/b"': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:name': {}, 'f:image': {}, 'f:args': {}, 'f:env': { 'k:{"name":"A"}': { '.': {}, 'f:name': {}, 'f:value': {} } } } }, 'f:tolerations': {} } },
      },
    });
    expect(leaves(set).map(fieldPathString)).toContain('.spec.template.spec.containers[name="nginx"].env[name="A"].value');
    expect(leaves(set).map(fieldPathString)).toContain('.metadata.finalizers[="a/b"]');
  });
});

describe('serverSideApply', () => {
  it('creates with the manager owning what it set', () => {
    const created = serverSideApply(undefined, deployment({ replicas: 2 }), options('kubectl'));
    expect(created.spec).toEqual({ replicas: 2 });
    expect(entries(created)).toEqual([{ manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: '2026-11-23T12:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }]);
  });

  it('merges containers by name and removes what the manager stopped setting, but not what the server or others set', () => {
    const first = serverSideApply(undefined, deployment({ replicas: 2, ...containers({ name: 'a', image: 'x', env: [{ name: 'E', value: '1' }] }, { name: 'b', image: 'y' }) }), options('kubectl'));
    // The server defaults a field nobody owns; another applier owns the paused flag.
    (first.spec as JsonObject).revisionHistoryLimit = 10;
    const withOther = serverSideApply(first, deployment({ paused: true }), options('pauser'));
    const next = serverSideApply(withOther, deployment({ replicas: 2, ...containers({ name: 'a', image: 'x2' }) }), options('kubectl'));
    expect(next.spec).toEqual({ replicas: 2, revisionHistoryLimit: 10, paused: true, template: { spec: { containers: [{ name: 'a', image: 'x2' }] } } });
    expect(entries(next).map((e) => e.manager)).toEqual(['kubectl', 'pauser']);
  });

  it('a field another manager set to another value conflicts; the same value is shared; force takes it', () => {
    const live = serverSideApply(undefined, deployment({ replicas: 2, paused: false }), options('kubectl'));
    expect(() => serverSideApply(live, deployment({ replicas: 2 }), options('hpa'))).not.toThrow();
    let error: ApplyConflictError | undefined;
    try {
      serverSideApply(live, deployment({ replicas: 5, paused: true }), options('hpa'));
    } catch (e) {
      error = e as ApplyConflictError;
    }
    expect(error).toBeInstanceOf(ApplyConflictError);
    expect(error!.message).toBe('Apply failed with 2 conflicts: conflicts with "kubectl":\n- .spec.paused\n- .spec.replicas');
    const forced = serverSideApply(live, deployment({ replicas: 5 }), options('hpa', true));
    expect(forced.spec).toEqual({ replicas: 5, paused: false });
    // Applied in the same second: listed by manager.
    expect(entries(forced).map((e) => [e.manager, e.fieldsV1])).toEqual([
      ['hpa', { 'f:spec': { 'f:replicas': {} } }],
      ['kubectl', { 'f:spec': { 'f:paused': {} } }],
    ]);
  });

  it('compares fields path by path: an empty map set now drops the fields below it the manager set before', () => {
    const live = serverSideApply(undefined, deployment({ template: { spec: { containers: [{ name: 'a', resources: { limits: { cpu: '1' } } }] } } }), options('kubectl'));
    const next = serverSideApply(live, deployment({ template: { spec: { containers: [{ name: 'a', resources: {} }] } } }), options('kubectl'));
    expect(next.spec).toEqual({ template: { spec: { containers: [{ name: 'a', resources: {} }] } } });
    // Another manager's cpu limit is not the same field as an empty resources map: no conflict.
    expect(() => serverSideApply(live, deployment({ template: { spec: { containers: [{ name: 'a', resources: {} }] } } }), options('other'))).not.toThrow();
  });

  it('keys container ports by number and protocol (TCP by default), as server-side apply does', () => {
    const set = fieldSetOf(deployment({ template: { spec: { containers: [{ name: 'dns', ports: [{ containerPort: 53 }, { containerPort: 53, protocol: 'UDP' }] }] } } }), 'Deployment');
    const ports = ((((set['f:spec']!['f:template']!)['f:spec']!)['f:containers']!)['k:{"name":"dns"}']!)['f:ports']!;
    expect(Object.keys(ports)).toEqual(['k:{"containerPort":53,"protocol":"TCP"}', 'k:{"containerPort":53,"protocol":"UDP"}']);
  });

  it('merges a Service\'s ports by port and protocol: one port on UDP and TCP survives re-applies', () => {
    const service = (ports: JsonObject[]): JsonObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'dns' }, spec: { ports } });
    const ports = [
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
    ];
    const serviceOptions = { manager: 'kubectl', force: false, kind: 'Service', apiVersion: 'v1', now: '2026-11-23T12:00:00Z' };
    let live = serverSideApply(undefined, service(ports), serviceOptions);
    live = serverSideApply(live, service(ports), serviceOptions);
    live = serverSideApply(live, service(ports), serviceOptions);
    expect(live.spec).toEqual({ ports });
  });

  it('merges a container\'s ports by containerPort and protocol, and keeps list items in the order the configuration gives', () => {
    const ports: JsonObject[] = [
      { name: 'dns', containerPort: 53, protocol: 'UDP' },
      { name: 'dns-tcp', containerPort: 53 },
    ];
    let live = serverSideApply(undefined, deployment(containers({ name: 'dns', ports })), options('kubectl'));
    live = serverSideApply(live, deployment(containers({ name: 'dns', ports })), options('kubectl'));
    expect(live.spec).toEqual(containers({ name: 'dns', ports }));
    // Another manager's item stays where it was; the applier's items follow its configuration.
    live = serverSideApply(live, deployment(containers({ name: 'a' }, { name: 'y' }, { name: 'b' })), options('kubectl'));
    live = serverSideApply(live, deployment(containers({ name: 'y', image: 'y' })), options('other'));
    live = serverSideApply(live, deployment(containers({ name: 'b' }, { name: 'a' })), options('kubectl'));
    expect(live.spec).toEqual(containers({ name: 'y', image: 'y' }, { name: 'b' }, { name: 'a' }));
  });

  it('does not prune a field the new configuration still sets below it', () => {
    const resources = (value: JsonObject) => deployment(containers({ name: 'a', resources: value }));
    const live = serverSideApply(undefined, resources({}), options('kubectl'));
    const next = serverSideApply(live, resources({ limits: { cpu: '1' } }), options('kubectl'));
    expect(next.spec).toEqual(containers({ name: 'a', resources: { limits: { cpu: '1' } } }));
    const env = (value: JsonObject[]) => deployment(containers({ name: 'a', env: value }));
    const withEnv = serverSideApply(serverSideApply(undefined, env([]), options('kubectl')), env([{ name: 'A' }]), options('kubectl'));
    expect(withEnv.spec).toEqual(containers({ name: 'a', env: [{ name: 'A' }] }));
  });

  it('does not prune what another manager owns below a field the applier stops setting', () => {
    let live = serverSideApply(undefined, deployment(containers({ name: 'a', resources: {} })), options('kubectl'));
    live = serverSideApply(live, deployment(containers({ name: 'a', resources: { limits: { cpu: '1' } } })), options('tuner'));
    live = serverSideApply(live, deployment(containers({ name: 'a' })), options('kubectl'));
    expect(live.spec).toEqual(containers({ name: 'a', resources: { limits: { cpu: '1' } } }));
  });

  it('an apply that changes nothing keeps the time: the object is written again unchanged', () => {
    const config = deployment({ replicas: 2 });
    const live = serverSideApply(undefined, config, options('kubectl'));
    const again = serverSideApply(live, config, { ...options('kubectl'), now: '2026-11-23T13:00:00Z' });
    expect(again).toEqual(live);
    expect(JSON.stringify(again)).toBe(JSON.stringify(live));
    // A change is stamped with the new time.
    const changed = serverSideApply(live, deployment({ replicas: 3 }), { ...options('kubectl'), now: '2026-11-23T13:00:00Z' });
    expect(entries(changed)[0]!.time).toBe('2026-11-23T13:00:00Z');
    // A new manager that changes nothing owns its fields, without a time (Kubernetes stamps changes only).
    const shared = serverSideApply(live, config, { ...options('other'), now: '2026-11-23T13:00:00Z' });
    expect(shared.spec).toEqual({ replicas: 2 });
    expect(entries(shared).find((e) => e.manager === 'other')).toEqual({ manager: 'other', operation: 'Apply', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } });
  });

  it('lists entries as Kubernetes sorts them (operation, then time in seconds, then manager) and leaves out empty ones', () => {
    const at = (manager: string, now: string) => ({ ...options(manager), now });
    const updater: ManagedFieldsEntry = { manager: 'a-controller', operation: 'Update', apiVersion: 'apps/v1', time: '2026-11-23T11:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:paused': {} } } };
    let live = serverSideApply(undefined, deployment({ replicas: 2 }, {}), at('kubectl', '2026-11-23T12:00:00Z'));
    (live.metadata as JsonObject).managedFields = [updater as unknown as JsonObject, ...(entries(live) as unknown as JsonObject[])];
    (live.spec as JsonObject).paused = false;
    live = serverSideApply(live, deployment({ minReadySeconds: 5 }), at('later', '2026-11-23T12:00:01Z'));
    live = serverSideApply(live, deployment({ revisionHistoryLimit: 3 }), at('early', '2026-11-23T12:00:00Z'));
    expect(entries(live).map((e) => e.manager)).toEqual(['early', 'kubectl', 'later', 'a-controller']);
    // An applier that sets nothing owns nothing: no entry.
    const nothing = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } };
    live = serverSideApply(live, nothing, at('nobody', '2026-11-23T12:00:02Z'));
    live = serverSideApply(live, nothing, at('later', '2026-11-23T12:00:02Z'));
    expect(entries(live).map((e) => e.manager)).toEqual(['early', 'kubectl', 'a-controller']);
    expect(live.spec).toEqual({ replicas: 2, paused: false, revisionHistoryLimit: 3 });
  });

  it('names a manager with a subresource in a conflict, whatever the stored entry holds', () => {
    const entry = { manager: 'kubelet', operation: 'Update', apiVersion: 'v1', time: 't', fieldsType: 'FieldsV1', subresource: 5, fieldsV1: { 'f:spec': { 'f:replicas': {} } } };
    const live = deployment({ replicas: 3 }, { managedFields: [entry] as unknown as JsonObject[] });
    expect(() => serverSideApply(live, deployment({ replicas: 1 }), options('kubectl'))).toThrow('Apply failed with 1 conflict: conflict with "kubelet" with subresource "5" using v1: .spec.replicas');
  });

  it('names an updater with its API version in a conflict', () => {
    const updater: ManagedFieldsEntry = { manager: 'kubectl-edit', operation: 'Update', apiVersion: 'apps/v1', time: 't', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } };
    const live = { ...deployment({ replicas: 3 }, { managedFields: [updater] as unknown as JsonObject[] }) };
    expect(() => serverSideApply(live, deployment({ replicas: 1 }), options('kubectl'))).toThrow('Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas');
  });
});
