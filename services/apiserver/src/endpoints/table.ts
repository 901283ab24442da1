import type { KubeObject, ResourceType } from '../registry/types';

/** What the client asked the response to be: the object(s) as stored, or a Table for `kubectl get`. */
export interface Rendering {
  table?: { version: 'v1' | 'v1beta1'; includeObject: 'None' | 'Object' | 'Metadata' };
}

/**
 * Reads the Accept header as Kubernetes' content negotiation does for the one conversion kubectl
 * asks for: `application/json;as=Table;v=v1;g=meta.k8s.io` (server-side printing).
 */
export function negotiate(accept: string | undefined, includeObject: string | null): Rendering {
  for (const clause of (accept ?? '').split(',')) {
    const [type, ...params] = clause.split(';').map((p) => p.trim());
    if (type !== 'application/json' && type !== '*/*') continue;
    const p = Object.fromEntries(params.map((kv) => kv.split('=') as [string, string]));
    if (p.as === 'Table' && p.g === 'meta.k8s.io' && (p.v === 'v1' || p.v === 'v1beta1')) {
      const include = includeObject === 'None' ? 'None' : includeObject === 'Object' ? 'Object' : 'Metadata';
      return { table: { version: p.v, includeObject: include } };
    }
    if (!p.as) return {};
  }
  return {};
}

/** Objects as a meta.k8s.io Table: the columns of `kubectl get` and one row per object. */
export function toTable(type: ResourceType, objects: KubeObject[], options: NonNullable<Rendering['table']>, listMeta: Record<string, unknown>, now = new Date()): object {
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${options.version}`,
    metadata: listMeta,
    columnDefinitions: type.printer.columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description, priority: c.priority })),
    rows: objects.map((object) => ({
      cells: type.printer.row(object, now),
      object: rowObject(type, object, options.includeObject),
    })),
  };
}

function rowObject(type: ResourceType, object: KubeObject, include: 'None' | 'Object' | 'Metadata'): object | undefined {
  if (include === 'None') return undefined;
  if (include === 'Object') return object;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
}
