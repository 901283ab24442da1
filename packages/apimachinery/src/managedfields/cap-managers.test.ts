import { describe, expect, it } from 'vitest';
import { capUpdateManagers } from './cap-managers';
import type { ManagedFieldsEntry } from './server-side-apply';
import { managedFieldsAfterUpdate } from './update';

const at = (minute: number) => `2026-11-23T12:${String(minute).padStart(2, '0')}:00Z`;
const updater = (manager: string, minute: number, field: string, apiVersion = 'v1', subresource?: string): ManagedFieldsEntry => ({
  manager,
  operation: 'Update',
  apiVersion,
  time: at(minute),
  fieldsType: 'FieldsV1',
  fieldsV1: { 'f:metadata': { 'f:labels': { [`f:${field}`]: {} } } },
  ...(subresource ? { subresource } : {}),
});
const names = (entries: ManagedFieldsEntry[]) => entries.map((e) => e.manager).sort();

describe('capUpdateManagers (capManagersManager)', () => {
  it('leaves 10 Update entries, and any number of Apply entries, as they are', () => {
    const ten = Array.from({ length: 10 }, (_, i) => updater(`m${i}`, i, `l${i}`));
    const applier: ManagedFieldsEntry = { manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', time: at(0), fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } };
    expect(capUpdateManagers([...ten, applier])).toEqual([...ten, applier]);
  });

  it('an 11th merges the two oldest into ancient-changes, with their fields and the newer time', () => {
    const eleven = Array.from({ length: 11 }, (_, i) => updater(`m${String(i).padStart(2, '0')}`, i, `l${i}`));
    const capped = capUpdateManagers(eleven);
    expect(capped).toHaveLength(10);
    expect(names(capped)).toEqual(['ancient-changes', ...eleven.slice(2).map((e) => e.manager)].sort());
    expect(capped.find((e) => e.manager === 'ancient-changes')).toEqual({
      manager: 'ancient-changes',
      operation: 'Update',
      apiVersion: 'v1',
      time: at(1),
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:metadata': { 'f:labels': { 'f:l0': {}, 'f:l1': {} } } },
    });
  });

  it('merges per API version, a subresource dropped; an existing bucket takes the next oldest', () => {
    const entries = [
      updater('old-v1', 0, 'a'),
      updater('old-beta', 1, 'b', 'v1beta1'),
      updater('kubelet', 2, 'c', 'v1', 'status'),
      updater('beta-2', 3, 'd', 'v1beta1'),
      ...Array.from({ length: 8 }, (_, i) => updater(`n${i}`, 10 + i, `n${i}`)),
    ];
    const capped = capUpdateManagers(entries);
    // 12 updaters: old-v1 and old-beta open their versions; kubelet joins old-v1 (11), beta-2 joins old-beta (10).
    expect(capped).toHaveLength(10);
    const buckets = capped.filter((e) => e.manager === 'ancient-changes');
    expect(buckets.map((e) => [e.apiVersion, e.subresource, e.time, Object.keys((e.fieldsV1['f:metadata'] as Record<string, Record<string, unknown>>)['f:labels']!).sort()])).toEqual(
      expect.arrayContaining([
        ['v1', undefined, at(2), ['f:a', 'f:c']],
        ['v1beta1', undefined, at(3), ['f:b', 'f:d']],
      ]),
    );
    const again = capUpdateManagers([...capped, updater('late', 30, 'late')]);
    expect(again).toHaveLength(10);
    // The v1 bucket (the oldest) opens v1 and the v1beta1 bucket its own version; n0, next, joins the v1 bucket.
    const v1 = again.find((e) => e.manager === 'ancient-changes' && e.apiVersion === 'v1')!;
    expect(Object.keys((v1.fieldsV1['f:metadata'] as Record<string, Record<string, unknown>>)['f:labels']!).sort()).toEqual(['f:a', 'f:c', 'f:n0']);
    expect(names(again)).not.toContain('n0');
  });

  it('is applied by every update: the 11th writer of a ConfigMap leaves 10 entries', () => {
    let object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: {} as Record<string, string>, managedFields: [] as ManagedFieldsEntry[] } };
    for (let i = 0; i < 11; i++) {
      const next = { ...object, metadata: { ...object.metadata, labels: { ...object.metadata.labels, [`w${i}`]: 'x' } } };
      const managedFields = managedFieldsAfterUpdate(object as never, next as never, { manager: `writer-${String(i).padStart(2, '0')}`, apiVersion: 'v1', kind: 'ConfigMap', now: at(i) });
      object = { ...next, metadata: { ...next.metadata, managedFields } };
    }
    expect(object.metadata.managedFields).toHaveLength(10);
    expect(object.metadata.managedFields[0]!.manager).toBe('ancient-changes');
  });
});
