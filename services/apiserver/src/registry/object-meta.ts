import { randomInt, randomUUID } from 'node:crypto';
import { FieldPath, invalid, isFieldsV1, nameIsDNS1035Label, nameIsDNSSubdomain, nameIsPathSegment, validateAnnotations, validateLabels, validateNamespaceName, validateObjectName } from '@kubelab/apimachinery';
import type { FieldErrorList } from '../errors';
import type { KubeObject } from './types';

/** Kubernetes' timestamps: RFC 3339, whole seconds, UTC. */
export function timestamp(date = new Date()): string {
  // Every write stamps at least one time; within a second the text is the same.
  const second = Math.floor(date.getTime() / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastText = date.toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  return lastText;
}
let lastSecond = NaN;
let lastText = '';

/** The letters Kubernetes' generateName suffix draws from (no vowels, no look-alikes). */
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function generateName(base: string): string {
  const trimmed = base.length > 58 ? base.slice(0, 58) : base;
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += ALPHABET[randomInt(ALPHABET.length)];
  return trimmed + suffix;
}

/** How each kind's names are checked (Kubernetes' ValidateObjectMeta with the kind's name rule). */
const NAME_RULES: Record<string, typeof nameIsDNSSubdomain> = {
  Namespace: validateNamespaceName,
  Service: nameIsDNS1035Label,
  Node: nameIsDNSSubdomain,
  APIService: nameIsPathSegment, // "v1." (the core group's) is a name too; its strategy checks version.group
};

/** metadata: the name (or generateName) by the kind's rule, labels and annotations. */
export function validateObjectMeta(object: KubeObject, kind: string, checkName = true): FieldErrorList {
  const meta = FieldPath.of('metadata');
  const errors: FieldErrorList = [];
  if (checkName) errors.push(...validateObjectName(object.metadata, NAME_RULES[kind] ?? nameIsDNSSubdomain, meta));
  errors.push(...validateLabels(object.metadata.labels, meta.child('labels')));
  errors.push(...validateAnnotations(object.metadata.annotations, meta.child('annotations')));
  if (object.metadata.managedFields !== undefined) errors.push(...validateManagedFields(object.metadata.managedFields, meta.child('managedFields')));
  return errors;
}

/** ValidateManagedFields: each entry an Apply or Update with FieldsV1, and (kubelab's own check) a field set server-side apply can read. */
function validateManagedFields(entries: unknown, path: FieldPath): FieldErrorList {
  if (!Array.isArray(entries)) return [invalid(path, entries, 'must be a list')];
  const errors: FieldErrorList = [];
  entries.forEach((raw: unknown, i) => {
    const entry = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
    const at = path.index(i);
    if (entry.operation !== 'Apply' && entry.operation !== 'Update') errors.push(invalid(at.child('operation'), entry.operation ?? '', 'must be `Apply` or `Update`'));
    if (entry.fieldsType !== undefined && entry.fieldsType !== '' && entry.fieldsType !== 'FieldsV1') errors.push(invalid(at.child('fieldsType'), entry.fieldsType, 'must be `FieldsV1`'));
    // String fields of ManagedFieldsEntry: Kubernetes' decoding refuses anything else.
    for (const field of ['manager', 'apiVersion', 'time', 'subresource']) {
      if (entry[field] !== undefined && entry[field] !== null && typeof entry[field] !== 'string') errors.push(invalid(at.child(field), entry[field], 'must be a string'));
    }
    if (entry.fieldsV1 !== undefined && !isFieldsV1(entry.fieldsV1)) errors.push(invalid(at.child('fieldsV1'), '', 'is not a valid FieldsV1 field set'));
  });
  return errors;
}

/**
 * What the system sets on a new object, whatever the client sent (Kubernetes' BeforeCreate).
 * metadata.generation is the strategy's: the kinds that have one start it at 1 (startGeneration).
 */
export function fillSystemMeta(object: KubeObject, now: Date): void {
  const meta = object.metadata;
  dropEmpty(meta);
  meta.uid = randomUUID();
  meta.creationTimestamp = timestamp(now);
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
  delete meta.managedFields;
}

/**
 * On update: what the client may not change is taken from the stored object, generation too
 * (BeforeUpdate: "requests cannot update generation"); a strategy that counts changes then bumps
 * it (bumpGeneration), after the new object has its defaults.
 */
export function carrySystemMeta(object: KubeObject, old: KubeObject): void {
  const meta = object.metadata;
  dropEmpty(meta);
  meta.uid = old.metadata.uid;
  meta.creationTimestamp = old.metadata.creationTimestamp;
  if (old.metadata.generation !== undefined) meta.generation = old.metadata.generation;
  else delete meta.generation;
  if (old.metadata.deletionTimestamp) meta.deletionTimestamp = old.metadata.deletionTimestamp;
  else delete meta.deletionTimestamp;
  if (old.metadata.deletionGracePeriodSeconds !== undefined) meta.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
  // Kept unless the update sets them (server-side apply does); `[]` and `[{}]` clear them, as
  // Kubernetes' (an apply that leaves no manager gives `[]`).
  if (meta.managedFields === undefined) {
    if (old.metadata.managedFields) meta.managedFields = old.metadata.managedFields;
  } else if (Array.isArray(meta.managedFields) && meta.managedFields.every((entry) => entry && typeof entry === 'object' && Object.keys(entry).length === 0)) {
    delete meta.managedFields;
  }
}

/** A new object of a kind that counts its changes (Deployments, ReplicaSets, ...): generation 1. */
export function startGeneration(object: KubeObject): void {
  object.metadata.generation = 1;
}

/** An update that changed what the kind counts: one generation more than the stored object's. */
export function bumpGeneration(object: KubeObject, old: KubeObject, changed: boolean): void {
  if (changed) object.metadata.generation = (old.metadata.generation ?? 0) + 1;
}

/**
 * Kubernetes' apiequality.Semantic.DeepEqual, on objects as JSON: what the decoded Go structs
 * cannot tell apart is equal. Key order does not matter; a null, an empty list and an empty map
 * are the same as an absent field (nil, and Semantic takes empty slices and maps for nil). An
 * empty object is taken for absent too, which Go tells apart only for a pointer to a struct
 * (`securityContext: {}`): a difference that changes nothing a controller does.
 */
export function semanticallyEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isEmpty(a) && isEmpty(b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => semanticallyEqual(item, other[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  for (const key in left) if (!semanticallyEqual(left[key], right[key])) return false;
  for (const key in right) if (!(key in left) && !isEmpty(right[key])) return false;
  return true;
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') {
    for (const key in value) if (!isEmpty((value as Record<string, unknown>)[key])) return false;
    return true;
  }
  return false;
}

/**
 * Empty lists and maps of the metadata are not kept, as Go's `omitempty` drops them when the
 * object is stored: removing the last finalizer leaves no `finalizers: []` behind.
 */
function dropEmpty(meta: KubeObject['metadata']): void {
  const m = meta as Record<string, unknown>;
  for (const field of ['finalizers', 'ownerReferences']) if (Array.isArray(m[field]) && (m[field] as unknown[]).length === 0) delete m[field];
  for (const field of ['labels', 'annotations']) {
    const value = m[field];
    if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) delete m[field];
  }
}
