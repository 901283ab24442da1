import { Errors } from '../errors';
import type { KubeObject, ResourceType } from '../registry/types';

/** A test an object must pass to be listed or watched: the label and field selectors of the request. */
export type ObjectFilter = (object: KubeObject) => boolean;

/**
 * A watch event seen through a selector, as Kubernetes' watchers transform events: an object
 * that starts to match is ADDED, one that stops matching is DELETED (so a client's cache drops
 * it), one that never matched is not sent.
 */
export function selectEvent(event: { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject; previous?: KubeObject }, filter: ObjectFilter): { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject } | undefined {
  const before = event.type !== 'ADDED' && event.previous !== undefined && filter(event.previous);
  if (event.type === 'DELETED') return before ? { type: 'DELETED', object: event.object } : undefined;
  if (filter(event.object)) return { type: before ? 'MODIFIED' : 'ADDED', object: event.object };
  if (before) return { type: 'DELETED', object: { ...event.previous!, metadata: { ...event.previous!.metadata, resourceVersion: event.object.metadata.resourceVersion } } };
  return undefined;
}

type Requirement = { key: string; op: '=' | '!=' | 'in' | 'notin' | 'exists' | '!exists'; values: string[] };

/** Parses `app=web,tier!=db,env in (a,b),!legacy` (labelSelector) into requirements. */
export function parseLabelSelector(text: string): Requirement[] {
  const requirements: Requirement[] = [];
  const clauses = text.match(/([^,(]+(\([^)]*\))?)/g) ?? [];
  for (const raw of clauses) {
    const clause = raw.trim();
    if (!clause) continue;
    let m: RegExpMatchArray | null;
    if ((m = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(clause))) requirements.push({ key: m[1]!, op: m[2] as 'in' | 'notin', values: m[3]!.split(',').map((v) => v.trim()) });
    else if ((m = /^([^\s!=]+)\s*(==|=|!=)\s*([^\s]*)$/.exec(clause))) requirements.push({ key: m[1]!, op: m[2] === '!=' ? '!=' : '=', values: [m[3]!] });
    else if ((m = /^!\s*([^\s!=]+)$/.exec(clause))) requirements.push({ key: m[1]!, op: '!exists', values: [] });
    else if ((m = /^([^\s!=()]+)$/.exec(clause))) requirements.push({ key: m[1]!, op: 'exists', values: [] });
    else throw Errors.badRequest(`unable to parse requirement: found '${clause}', expected: identifier`);
  }
  return requirements;
}

function matches(requirements: Requirement[], values: Record<string, string>): boolean {
  return requirements.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(values, r.key);
    const value = values[r.key];
    switch (r.op) {
      case '=':
        return has && value === r.values[0];
      case '!=':
        return !has || value !== r.values[0];
      case 'in':
        return has && r.values.includes(value!);
      case 'notin':
        return !has || !r.values.includes(value!);
      case 'exists':
        return has;
      case '!exists':
        return !has;
    }
  });
}

/** The filter for `labelSelector` and `fieldSelector`; a field the resource cannot select by is a 400, as in Kubernetes. */
export function objectFilter(type: ResourceType, labelSelector: string | null, fieldSelector: string | null): ObjectFilter {
  const labels = labelSelector ? parseLabelSelector(labelSelector) : [];
  const fields = fieldSelector ? parseLabelSelector(fieldSelector).map((r) => ({ ...r, values: r.values })) : [];
  for (const f of fields) {
    if (f.op !== '=' && f.op !== '!=') throw Errors.badRequest(`invalid field selector: ${fieldSelector}`);
  }
  if (fields.length) {
    const sample = selectableFields(type, { metadata: {} } as KubeObject);
    for (const f of fields) {
      if (!(f.key in sample)) throw Errors.badRequest(`field label not supported: ${f.key}`);
    }
  }
  return (object) => matches(labels, object.metadata.labels ?? {}) && matches(fields, selectableFields(type, object));
}

function selectableFields(type: ResourceType, object: KubeObject): Record<string, string> {
  return {
    'metadata.name': object.metadata.name ?? '',
    ...(type.namespaced ? { 'metadata.namespace': object.metadata.namespace ?? '' } : {}),
    ...(type.strategy.selectableFields?.(object) ?? {}),
  };
}
