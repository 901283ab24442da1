import { describe, expect, it } from 'vitest';
import type { JsonObject, JsonValue } from '../patch/json-value';
import { serverSideApply, type ManagedFieldsEntry } from './server-side-apply';
import { managedFieldsAfterUpdate } from './update';

const T1 = '2026-11-23T12:00:00Z';
const T2 = '2026-11-23T12:05:00Z';
const deployment = (spec: JsonObject, managedFields?: ManagedFieldsEntry[], status?: JsonObject): JsonObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, ...(managedFields ? { managedFields: managedFields as unknown as JsonValue } : {}) },
  spec,
  ...(status ? { status } : {}),
});
const update = (manager: string, now: string, subresource?: string) => ({ manager, apiVersion: 'apps/v1', kind: 'Deployment', now, ...(subresource ? { subresource } : {}) });

describe('managedFieldsAfterUpdate (FieldManager.Update)', () => {
  it('a create: the writer owns every field it set, as one Update entry', () => {
    expect(managedFieldsAfterUpdate(undefined, deployment({ replicas: 2 }), update('kubectl-create', T1))).toEqual([
      { manager: 'kubectl-create', operation: 'Update', apiVersion: 'apps/v1', time: T1, fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:replicas': {} } } },
    ]);
  });

  it('another writer takes the field it changed, with its own time; the first keeps the rest and its time', () => {
    const created = managedFieldsAfterUpdate(undefined, deployment({ replicas: 2, paused: false }), update('kubectl-create', T1));
    const after = managedFieldsAfterUpdate(deployment({ replicas: 2, paused: false }), deployment({ replicas: 5, paused: false }, created), update('kubectl-scale', T2, undefined));
    expect(after).toEqual([
      { manager: 'kubectl-create', operation: 'Update', apiVersion: 'apps/v1', time: T1, fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:paused': {} } } },
      { manager: 'kubectl-scale', operation: 'Update', apiVersion: 'apps/v1', time: T2, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
    ]);
  });

  it('a removed field leaves every manager; one left with nothing is gone', () => {
    const created = managedFieldsAfterUpdate(undefined, deployment({ replicas: 2 }), update('kubectl-create', T1));
    const labelled = managedFieldsAfterUpdate(deployment({ replicas: 2 }), { ...deployment({ replicas: 2 }, created), metadata: { name: 'web', labels: { app: 'web', tier: 'x' }, managedFields: created as unknown as JsonValue } }, update('kubectl-label', T2));
    expect(labelled.map((e) => e.manager)).toEqual(['kubectl-create', 'kubectl-label']);
    const unlabelled = managedFieldsAfterUpdate(
      { ...deployment({ replicas: 2 }), metadata: { name: 'web', labels: { app: 'web', tier: 'x' } } },
      { ...deployment({ replicas: 2 }), metadata: { name: 'web', labels: { app: 'web' }, managedFields: labelled as unknown as JsonValue } },
      update('kubectl-edit', T2),
    );
    // Removing gives kubectl-edit nothing to own, and takes the label from kubectl-label.
    expect(unlabelled.map((e) => e.manager)).toEqual(['kubectl-create']);
  });

  it('a write that changes nothing leaves the entries as they were', () => {
    const created = managedFieldsAfterUpdate(undefined, deployment({ replicas: 2 }), update('kubectl-create', T1));
    expect(managedFieldsAfterUpdate(deployment({ replicas: 2 }), deployment({ replicas: 2 }, created), update('kubectl-edit', T2))).toEqual(created);
  });

  it('the status subresource: its writer owns the status fields, in an entry of its own', () => {
    const created = managedFieldsAfterUpdate(undefined, deployment({ replicas: 2 }), update('kubectl-create', T1));
    const after = managedFieldsAfterUpdate(deployment({ replicas: 2 }), deployment({ replicas: 2 }, created, { replicas: 2, conditions: [{ type: 'Available', status: 'True' }] }), update('kube-controller-manager', T2, 'status'));
    expect(after[1]).toEqual({
      manager: 'kube-controller-manager',
      operation: 'Update',
      apiVersion: 'apps/v1',
      time: T2,
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:status': { 'f:replicas': {}, 'f:conditions': { 'k:{"type":"Available"}': { '.': {}, 'f:type': {}, 'f:status': {} } } } },
      subresource: 'status',
    });
    expect(after[0]).toEqual(created[0]);
  });

  it('an apply then conflicts with the updater of a field, named with its API version', () => {
    const created = managedFieldsAfterUpdate(undefined, deployment({ replicas: 2 }), update('kubectl-create', T1));
    expect(() => serverSideApply(deployment({ replicas: 2 }, created), { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 3 } }, { manager: 'kubectl', force: false, kind: 'Deployment', apiVersion: 'apps/v1', now: T2 })).toThrow(
      'Apply failed with 1 conflict: conflict with "kubectl-create" using apps/v1: .spec.replicas',
    );
  });
});
