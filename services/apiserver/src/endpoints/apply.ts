import { ApplyConflictError, FieldPath, isNotFound, required, serverSideApply, typedPatchErrors, validationErrorsText, type JsonObject, type ManagedFieldsEntry } from '@kubelab/apimachinery';
import * as yaml from 'js-yaml';
import { ApiError, Errors } from '../errors';
import type { GenericRegistry } from '../registry/generic-registry';
import { timestamp } from '../registry/object-meta';
import { groupVersion, type KubeObject, type ResourceType } from '../registry/types';

/** The content type of a server-side apply (`kubectl apply --server-side`). */
export const APPLY_PATCH = 'application/apply-patch+yaml';

/** An apply configuration: YAML, of which JSON (what kubectl sends) is a part. */
export function parseApplyConfiguration(body: Buffer): unknown {
  if (body.length === 0) throw Errors.badRequest('the apply configuration is empty');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    // Not JSON: YAML.
  }
  let documents: unknown[];
  try {
    documents = yaml.loadAll(body.toString('utf8'), undefined, { schema: yaml.JSON_SCHEMA }).filter((d) => d !== null && d !== undefined);
  } catch (error) {
    throw Errors.badRequest(`error decoding YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (documents.length > 1) throw Errors.badRequest('error decoding YAML: an apply configuration is one document');
  // YAML aliases share one object: a few hundred bytes could stand for a billion fields (CVE-2019-11253).
  if (sharesObjects(documents[0], new Set())) throw Errors.badRequest('error decoding YAML: aliases are not allowed in an apply configuration');
  return documents[0];
}

function sharesObjects(value: unknown, seen: Set<object>): boolean {
  if (!value || typeof value !== 'object') return false;
  if (seen.has(value)) return true;
  seen.add(value);
  for (const child of Array.isArray(value) ? value : Object.values(value)) if (sharesObjects(child, seen)) return true;
  return false;
}

export interface ApplyRequest {
  type: ResourceType;
  namespace: string | undefined;
  name: string;
  /** The applied configuration (kubectl sends it as JSON, which YAML includes). */
  config: unknown;
  fieldManager: string | null;
  force: boolean;
  dryRun: boolean;
  /** Filled with the strategy's warnings for the object written. */
  warnings?: string[];
}

/**
 * Server-side apply on the REST API: the object is created from the configuration when it does
 * not exist (201), else the configuration is merged into it (200), with the manager's fields in
 * metadata.managedFields (@kubelab/apimachinery's serverSideApply). A field another applier set
 * to another value is a 409 Conflict listing the fields, unless force (`--force-conflicts`).
 */
export async function serveApply(registry: GenericRegistry, r: ApplyRequest): Promise<{ code: 200 | 201; object: KubeObject }> {
  if (!r.fieldManager) throw Errors.invalid({ group: 'meta.k8s.io', kind: 'PatchOptions' }, '', [required(FieldPath.of('fieldManager'), 'is required for apply patch')]);
  if (typeof r.config !== 'object' || r.config === null || Array.isArray(r.config)) throw Errors.badRequest('error decoding the apply configuration: not an object');
  const config = r.config as KubeObject;
  // The field manager's own checks come first: the configuration's type (versionCheckManager),
  // then managedFields, which only the server writes (structuredMergeManager).
  const apiVersion = groupVersion(r.type);
  if (config.apiVersion !== apiVersion || config.kind !== r.type.kind) throw Errors.badRequest(`invalid object type: ${groupVersionKindText(config)}`);
  if (Array.isArray(config.metadata?.managedFields)) throw Errors.badRequest('metadata.managedFields must be nil');
  // A strategic merge patch's directives ($patch, $retainKeys, ...) mean nothing in an apply:
  // as unknown fields, they are refused (they would remove what other managers own).
  const directive = directivePath(config, '');
  if (directive) throw Errors.badRequest(`error decoding the apply configuration: strict decoding error: unknown field "${directive}"`);
  // The configuration as a typed object (structuredMergeManager): list maps keyed, no duplicates.
  const typeErrors = typedPatchErrors(config as unknown as JsonObject, r.type.kind);
  if (typeErrors.length > 0) {
    throw Errors.unstructured(`failed to create typed patch object (${String(config.metadata?.namespace ?? '')}/${String(config.metadata?.name ?? '')}; ${groupVersionKindText(config)}): ${validationErrorsText(typeErrors)}`);
  }
  if (config.metadata?.name !== r.name) throw Errors.badRequest(`the name of the object (${String(config.metadata?.name ?? '')}) does not match the name on the URL (${r.name})`);
  const apply = (live: KubeObject | undefined) => {
    // A resourceVersion in the configuration is a precondition (kubectl diff sends one).
    const pinned = config.metadata?.resourceVersion;
    if (live && pinned && pinned !== live.metadata.resourceVersion) throw Errors.conflict(r.type, r.name);
    try {
      return serverSideApply(live as unknown as JsonObject | undefined, config as unknown as JsonObject, { manager: r.fieldManager!, force: r.force, kind: r.type.kind, apiVersion, now: timestamp() }) as unknown as KubeObject;
    } catch (error) {
      if (error instanceof ApplyConflictError) throw Errors.applyConflict(error);
      throw error;
    }
  };
  for (let attempt = 0; ; attempt++) {
    try {
      return { code: 200, object: await registry.update(r.type, r.namespace, r.name, (live) => apply(live), { dryRun: r.dryRun, warnings: r.warnings }) };
    } catch (error) {
      if (!isNotFound(error) || attempt > 0) throw error;
    }
    const created = apply(undefined);
    // A uid names one object: an apply with one does not create another.
    const uid = config.metadata?.uid;
    if (uid) throw Errors.conflict(r.type, r.name, `uid mismatch: the provided object specified uid ${String(uid)}, and no existing object was found`);
    const managedFields = created.metadata.managedFields as ManagedFieldsEntry[];
    try {
      return { code: 201, object: await registry.create(r.type, r.namespace, created, { dryRun: r.dryRun, managedFields: managedFields.length > 0 ? managedFields : undefined, warnings: r.warnings }) };
    } catch (error) {
      // Created meanwhile by someone else: apply to what is there now.
      if (!(error instanceof ApiError && error.status.reason === 'AlreadyExists')) throw error;
    }
  }
}

/** A configuration's type as Go prints a GroupVersionKind: "apps/v1, Kind=Deployment", "/v1, Kind=ConfigMap". */
function groupVersionKindText(config: KubeObject): string {
  const apiVersion = typeof config.apiVersion === 'string' ? config.apiVersion : '';
  const kind = typeof config.kind === 'string' ? config.kind : '';
  const parts = apiVersion.split('/');
  // An apiVersion that is not "version" or "group/version" parses to no group version at all.
  const [group, version] = parts.length === 1 ? ['', parts[0]] : parts.length === 2 ? parts : ['', ''];
  return `${group}/${version}, Kind=${kind}`;
}

/** The path of the first key starting with "$" in the configuration, if any. */
function directivePath(value: unknown, at: string): string | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = directivePath(value[i], `${at}[${i}]`);
      if (found) return found;
    }
  } else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const path = at ? `${at}.${key}` : key;
      if (key.startsWith('$')) return path;
      const found = directivePath(child, path);
      if (found) return found;
    }
  }
  return undefined;
}
