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
    expect(entries(forced).map((e) => [e.manager, e.fieldsV1])).toEqual([
      ['kubectl', { 'f:spec': { 'f:paused': {} } }],
      ['hpa', { 'f:spec': { 'f:replicas': {} } }],
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

  it('names an updater with its API version in a conflict', () => {
    const updater: ManagedFieldsEntry = { manager: 'kubectl-edit', operation: 'Update', apiVersion: 'apps/v1', time: 't', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } };
    const live = { ...deployment({ replicas: 3 }, { managedFields: [updater] as unknown as JsonObject[] }) };
    expect(() => serverSideApply(live, deployment({ replicas: 1 }), options('kubectl'))).toThrow('Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas');
  });
});
