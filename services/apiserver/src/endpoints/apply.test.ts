import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, Errors } from '../errors';
import { lookup } from '../registry/catalog';
import { GenericRegistry } from '../registry/generic-registry';
import { validateObjectMeta } from '../registry/object-meta';
import type { KubeObject, ResourceType } from '../registry/types';
import type { ObjectStore } from '../storage/object-store';
import { parseApplyConfiguration, serveApply, type ApplyRequest } from './apply';

const parse = (text: string) => parseApplyConfiguration(Buffer.from(text));
const refusal = (text: string) => {
  try {
    parse(text);
  } catch (error) {
    return error instanceof ApiError ? `${error.status.code} ${error.status.message}` : String(error);
  }
  return 'accepted';
};

describe('apply configurations (YAML or JSON)', () => {
  it('reads JSON, YAML, and YAML ending in an empty document (as helm writes it)', () => {
    expect(parse('{"kind":"ConfigMap"}')).toEqual({ kind: 'ConfigMap' });
    expect(parse('kind: ConfigMap\ndata:\n  a: "1"\n')).toEqual({ kind: 'ConfigMap', data: { a: '1' } });
    expect(parse('kind: ConfigMap\n---\n')).toEqual({ kind: 'ConfigMap' });
  });

  it('refuses two documents, aliases (a few bytes could stand for a billion fields), bad YAML and an empty body', () => {
    expect(refusal('kind: A\n---\nkind: B\n')).toBe('400 error decoding YAML: an apply configuration is one document');
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [*${'abcdefghi'[i]},*${'abcdefghi'[i]},*${'abcdefghi'[i]},*${'abcdefghi'[i]},*${'abcdefghi'[i]},*${'abcdefghi'[i]},*${'abcdefghi'[i]},*${'abcdefghi'[i]},*${'abcdefghi'[i]}]`)].join('\n');
    expect(refusal(bomb)).toBe('400 error decoding YAML: aliases are not allowed in an apply configuration');
    expect(refusal('a: [1, 2\n')).toMatch(/^400 error decoding YAML: /);
    expect(refusal('')).toBe('400 the apply configuration is empty');
  });
});

/**
 * Objects in memory, written as the object store writes them: an update whose object is the
 * stored one byte for byte (resourceVersion aside) writes nothing and keeps the version.
 */
function memoryStore(): ObjectStore & { writes: number } {
  const objects = new Map<string, KubeObject>([['namespaces//default', { metadata: { name: 'default' }, status: { phase: 'Active' } } as KubeObject]]);
  const key = (type: ResourceType, namespace: string | undefined, name: string) => `${type.resource}/${namespace ?? ''}/${name}`;
  const bytes = ({ metadata: { resourceVersion: _, ...metadata }, ...object }: KubeObject) => JSON.stringify({ ...object, metadata });
  const get = async (type: ResourceType, namespace: string | undefined, name: string) => {
    const found = objects.get(key(type, namespace, name));
    if (!found) throw Errors.notFound(type, name);
    return structuredClone(found);
  };
  const store = {
    writes: 0,
    get,
    getCached: get,
    create: async (type: ResourceType, object: KubeObject) => {
      object.metadata.resourceVersion = String(++store.writes);
      objects.set(key(type, object.metadata.namespace, object.metadata.name!), structuredClone(object));
      return object;
    },
    update: async (type: ResourceType, namespace: string | undefined, name: string, change: (current: KubeObject) => Promise<KubeObject>) => {
      const current = await get(type, namespace, name);
      const next = await change(structuredClone(current));
      if (bytes(next) === bytes(current)) return current;
      next.metadata.resourceVersion = String(++store.writes);
      objects.set(key(type, namespace, name), structuredClone(next));
      return next;
    },
  };
  return store as unknown as ObjectStore & { writes: number };
}

describe('serveApply', () => {
  const configmaps = lookup('', 'v1', 'configmaps')!;
  const cm = (extra: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', ...metadata }, data: { a: '1' }, ...extra });
  const request = (config: unknown): ApplyRequest => ({ type: configmaps, namespace: 'default', name: 'cm', config, fieldManager: 'kubectl', force: false, dryRun: false });
  afterEach(() => {
    vi.useRealTimers();
  });

  const refusal = async (registry: GenericRegistry, config: unknown) => {
    const error = await serveApply(registry, request(config)).then(
      () => undefined,
      (e: unknown) => e,
    );
    return error instanceof ApiError ? `${error.status.code} ${error.status.reason} ${error.status.message}` : String(error);
  };

  it('refuses managedFields in the configuration, even an empty list, and a configuration of another type, as Kubernetes words it', async () => {
    const registry = new GenericRegistry(memoryStore());
    expect(await refusal(registry, cm({}, { managedFields: [] }))).toBe('400 BadRequest metadata.managedFields must be nil');
    expect(await refusal(registry, cm({ apiVersion: 'v2' }))).toBe('400 BadRequest invalid object type: /v2, Kind=ConfigMap');
    expect(await refusal(registry, cm({ apiVersion: 'apps/v1', kind: 'Deployment' }))).toBe('400 BadRequest invalid object type: apps/v1, Kind=Deployment');
  });

  it('an apply naming a uid creates nothing: 409 Conflict', async () => {
    const registry = new GenericRegistry(memoryStore());
    expect(await refusal(registry, cm({}, { uid: '1234' }))).toBe('409 Conflict Operation cannot be fulfilled on configmaps "cm": uid mismatch: the provided object specified uid 1234, and no existing object was found');
  });

  it('applying the same configuration again, a minute later, writes nothing', async () => {
    const store = memoryStore();
    const registry = new GenericRegistry(store);
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-11-23T12:00:00Z') });
    const created = await serveApply(registry, request(cm()));
    expect(created.code).toBe(201);
    vi.setSystemTime(new Date('2026-11-23T12:01:00Z'));
    const again = await serveApply(registry, request(cm()));
    expect(store.writes).toBe(1);
    expect(again.object.metadata.resourceVersion).toBe(created.object.metadata.resourceVersion);
  });

  it('an apply that leaves no manager leaves no managedFields', async () => {
    const registry = new GenericRegistry(memoryStore());
    await serveApply(registry, request(cm()));
    const { object } = await serveApply(registry, request({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } }));
    expect(object.metadata.managedFields).toBeUndefined();
    expect(object.data).toBeUndefined();
  });
});

describe('managedFields an apply reads', () => {
  it('are refused on write when a string field holds something else (an apply would trip on it later)', () => {
    const entry = { manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: {} };
    const errors = (changes: Record<string, unknown>) => validateObjectMeta({ metadata: { name: 'cm', managedFields: [{ ...entry, ...changes }] } } as KubeObject, 'ConfigMap').map((e) => e.message);
    expect(errors({})).toEqual([]);
    expect(errors({ subresource: 5 })).toEqual(['metadata.managedFields[0].subresource: Invalid value: 5: must be a string']);
    expect(errors({ apiVersion: 1, manager: false })).toEqual(['metadata.managedFields[0].manager: Invalid value: false: must be a string', 'metadata.managedFields[0].apiVersion: Invalid value: 1: must be a string']);
  });
});
