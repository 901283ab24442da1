import { failureStatus, FieldError, FieldPath, goQuote, invalid, isNotFound, labelSelectorAsSelector, type LabelSelectorObject } from '@kubelab/apimachinery';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, Errors } from '../errors';
import type { DeleteOptions, GenericRegistry, WriteOptions } from '../registry/generic-registry';
import { lookup } from '../registry/catalog';
import { bindPod } from '../registry/pod-binding';
import { groupVersion, type KubeObject, type ResourceType } from '../registry/types';
import { APPLY_PATCH, parseApplyConfiguration, serveApply } from './apply';
import { addWarnings } from './warnings';
import { applyPatch } from './patch';
import { isKubernetesProtobuf } from './protobuf';
import { examineFields, fieldValidationOf, type FieldValidation } from './field-validation';
import { fieldManagerOf } from './field-manager';
import { serializedList } from '../storage/serialized';
import { parseJson, readBody, sendJson, sendText } from './http-io';
import type { ResourceRequest } from './request-info';
import { listSelected, objectFilter } from './selectors';
import { negotiate, toTable } from './table';
import { serveWatch } from './watch';
import type { PodStreaming } from '../streaming/pod-streaming';

export interface HandlerContext {
  registry: GenericRegistry;
  bookmarkIntervalMs: number;
  /** Closes every open watch (at shutdown). */
  watches: Set<() => void>;
  /** pods/log, exec, attach, portforward (through the pod's kubelet), pods/proxy and services/proxy: streaming/. */
  streaming?: PodStreaming;
}

/** Serves one request on a resource: the verbs of Kubernetes' REST API, by method and path. */
export async function handleResource(ctx: HandlerContext, target: ResourceRequest, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const type = lookup(target.group, target.version, target.resource);
  if (!type) throw Errors.notFoundPath();
  if (type.namespaced === false && target.namespace !== undefined) throw Errors.notFoundPath();
  const { registry } = ctx;
  const ns = type.namespaced ? target.namespace : undefined;
  const q = url.searchParams;
  const method = req.method ?? 'GET';
  const dryRun = dryRunOf(q.getAll('dryRun'), method);
  const rendering = negotiate(req.headers.accept, q.get('includeObject'));
  /** Who the write is recorded as in managedFields. */
  const manager = (options: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions', subresource?: string) => {
    const name = fieldManagerOf(q.get('fieldManager'), req.headers['user-agent'], options);
    return name ? { name, ...(subresource ? { subresource } : {}) } : undefined;
  };
  const sub = target.subresource;
  if (ns && target.name && ctx.streaming?.serves(type, sub)) return ctx.streaming.serve(type, sub, ns, target.name, url, req, res);
  if (sub && !(type.subresources ?? []).includes(sub as never)) throw Errors.notFoundPath();
  if (type.review) {
    if (method !== 'POST' || target.name) throw Errors.methodNotSupported(type, method.toLowerCase());
    // The answer does not depend on the question (everything is allowed), so a protobuf question
    // (kubectl's typed client) need not be decoded.
    const body = await readBody(req);
    const review = type.review(isKubernetesProtobuf(body) ? { metadata: {} } : (parseJson(body) as KubeObject));
    return sendJson(res, 201, { ...review, apiVersion: groupVersion(type), kind: type.kind });
  }

  if (!target.name) {
    // A namespaced resource's collection across namespaces is only read (list, watch): nothing else is routed there.
    if (type.namespaced && !ns && method !== 'GET') throw METHOD_NOT_ALLOWED();
    switch (method) {
      case 'GET': {
        const filter = objectFilter(type, q.get('labelSelector'), q.get('fieldSelector'));
        if (q.get('watch') === 'true' || q.get('watch') === '1') {
          const timeout = q.get('timeoutSeconds');
          return serveWatch(
            registry.store,
            { type, namespace: ns, resourceVersion: q.get('resourceVersion') ?? '', filter, rendering, timeoutSeconds: timeout ? Number(timeout) : undefined, allowBookmarks: q.get('allowWatchBookmarks') === 'true', bookmarkIntervalMs: ctx.bookmarkIntervalMs },
            res,
            ctx.watches,
          );
        }
        const selecting = Boolean(q.get('labelSelector') || q.get('fieldSelector'));
        const list = await listSelected(registry.store, type, ns, { filter, selecting, limit: Number(q.get('limit') ?? 0), continue: q.get('continue') ?? undefined });
        const items = list.items;
        const meta: Record<string, unknown> = { resourceVersion: list.resourceVersion };
        if (list.continue) meta.continue = list.continue;
        if (list.remainingItemCount !== undefined) meta.remainingItemCount = list.remainingItemCount;
        if (rendering.table) return sendJson(res, 200, toTable(type, items, rendering.table, meta));
        return sendText(res, 200, serializedList(`${type.kind}List`, groupVersion(type), meta, items));
      }
      case 'POST': {
        const body = parseJson(await readBody(req)) as KubeObject;
        checkFields(type, body, fieldValidationOf(q.get('fieldValidation')), res, 'decode');
        const warnings: string[] = [];
        const created = await registry.create(type, ns, body, { dryRun, fieldManager: manager('CreateOptions'), warnings });
        addWarnings(res, warnings);
        return sendJson(res, 201, render(type, created, rendering));
      }
      case 'DELETE': {
        // deletecollection: every selected object, one by one; one that is gone already (someone else
        // deleted it meanwhile) is skipped. The answer is the list as it was read (Kubernetes' DeleteCollection).
        const filter = objectFilter(type, q.get('labelSelector'), q.get('fieldSelector'));
        const { options } = await deleteOptions(req, q, dryRun);
        const list = await registry.store.list(type, ns);
        const selected = list.items.filter(filter);
        for (const object of selected) {
          await registry.delete(type, object.metadata.namespace, object.metadata.name!, options).catch((error: unknown) => {
            if (!isNotFound(error)) throw error;
          });
        }
        return sendJson(res, 200, { kind: `${type.kind}List`, apiVersion: groupVersion(type), metadata: { resourceVersion: list.resourceVersion }, items: selected });
      }
      default:
        throw Errors.methodNotSupported(type, method.toLowerCase());
    }
  }

  const name = target.name;
  if (sub === 'scale') return handleScale(ctx, type, ns, name, method, req, res, dryRun, manager(method === 'PUT' ? 'UpdateOptions' : 'PatchOptions', 'scale'));
  if (sub === 'binding' || sub === 'eviction' || sub === 'proxy') {
    return handlePodSubresource(ctx, type, ns, name, sub, method, req, res, dryRun);
  }
  const subresource = sub === 'status' || sub === 'finalize' || sub === 'ephemeralcontainers' ? sub : undefined;
  switch (method) {
    case 'GET':
      return sendJson(res, 200, render(type, await registry.get(type, ns, name), rendering));
    case 'PUT': {
      const body = parseJson(await readBody(req)) as KubeObject;
      checkFields(type, body, fieldValidationOf(q.get('fieldValidation')), res, 'decode');
      const warnings: string[] = [];
      const updated = await registry.update(type, ns, name, pinnedInDryRun(dryRun, registry, type, ns, name, () => body), { dryRun, subresource, fieldManager: manager('UpdateOptions'), warnings });
      addWarnings(res, warnings);
      return sendJson(res, 200, render(type, updated, rendering));
    }
    case 'PATCH': {
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
      if (contentType === APPLY_PATCH) {
        if (subresource) throw Errors.unsupportedMediaType();
        const config = parseApplyConfiguration(await readBody(req));
        checkFields(type, config, fieldValidationOf(q.get('fieldValidation')), res, 'patch');
        const warnings: string[] = [];
        const applied = await serveApply(registry, { type, namespace: ns, name, config, fieldManager: q.get('fieldManager'), force: q.get('force') === 'true', dryRun, warnings });
        addWarnings(res, warnings);
        return sendJson(res, applied.code, render(type, applied.object, rendering));
      }
      // Parsed once: the patch is applied again if the object moved on meanwhile.
      const patch = parseJson(await readBody(req), 'the patch');
      const fieldManager = manager('PatchOptions');
      const validation = fieldValidationOf(q.get('fieldValidation'));
      // A JSON patch names no fields of its own: its result is checked instead.
      const jsonPatch = contentType === 'application/json-patch+json';
      if (!jsonPatch) checkFields(type, patch, validation, res, 'patch');
      const warnings: string[] = [];
      const updated = await registry.update(type, ns, name, pinnedInDryRun(dryRun, registry, type, ns, name, (current) => checkFields(type, applyPatch(type, contentType, current, patch), validation, res, jsonPatch ? 'patched' : 'prune')), { dryRun, subresource, fieldManager, warnings });
      addWarnings(res, warnings);
      return sendJson(res, 200, render(type, updated, rendering));
    }
    case 'DELETE': {
      if (subresource) throw Errors.methodNotSupported(type, 'delete');
      const { options, orphanDependents } = await deleteOptions(req, q, dryRun);
      const { object, finished } = await registry.delete(type, ns, name, options);
      // As Kubernetes' delete handler: 200, but 202 for an object not gone yet when the client asked
      // for orphanDependents=false (the one case its clients expect it). An object that is only marked
      // comes back as it now is; one that is gone, as it was for the kinds that say so, else a Status.
      const code = !finished && orphanDependents === false ? 202 : 200;
      return sendJson(res, code, finished && !returnsDeletedObject(type) ? deletedStatus(type, object) : object);
    }
    default:
      throw Errors.methodNotSupported(type, method.toLowerCase());
  }
}

/**
 * Fields the kind's schema does not declare: with fieldValidation=Strict (what kubectl sends) a
 * 400 worded as Kubernetes words it, with Warn (the server's default) a `Warning` header that
 * kubectl prints, with Ignore nothing; with Warn and Ignore they are dropped, as Kubernetes'
 * decoding drops them. `what`: a whole object being decoded (POST, PUT), whose values must also
 * decode (an int32 field's 3000000000 is a 400); a patch or apply configuration (checked, not
 * changed); a JSON patch's result (checked and pruned); a merge patch's result (pruned only: the
 * patch was checked). Returns the body.
 */
function checkFields<T>(type: ResourceType, body: T, mode: FieldValidation, res: ServerResponse, what: 'decode' | 'patch' | 'patched' | 'prune'): T {
  const report = examineFields(type, body, { prune: mode !== 'Strict' && what !== 'patch' });
  if (what === 'decode' && report.decodeError) throw Errors.badRequest(`${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: ${report.decodeError}`);
  if (mode === 'Ignore' || what === 'prune' || report.unknown.length === 0) return body;
  const unknown = report.unknown.map((field) => `unknown field ${JSON.stringify(field)}`);
  if (mode === 'Strict') {
    const prefix = what === 'decode' ? `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: ` : '';
    throw Errors.badRequest(`${prefix}strict decoding error: ${unknown.join(', ')}`);
  }
  addWarnings(res, unknown);
  return body;
}

function render(type: ResourceType, object: KubeObject, rendering: ReturnType<typeof negotiate>): unknown {
  return rendering.table ? toTable(type, [object], rendering.table, { resourceVersion: object.metadata.resourceVersion }) : object;
}

/**
 * DeleteOptions from the body (kubectl sends one) or the query, validated as Kubernetes' handler
 * does (422 for a dryRun other than "All", or for both orphanDependents and propagationPolicy);
 * the deprecated orphanDependents is read as the propagation policy it stands for.
 */
async function deleteOptions(req: IncomingMessage, q: URLSearchParams, dryRun: boolean): Promise<{ options: DeleteOptions; orphanDependents?: boolean }> {
  const body = await readBody(req);
  const parsed = body.length ? parseJson(body, 'DeleteOptions') : {};
  const options = (parsed !== null && typeof parsed === 'object' ? parsed : {}) as Omit<DeleteOptions, 'dryRun'> & { dryRun?: unknown; orphanDependents?: unknown };
  const bodyDryRun = Array.isArray(options.dryRun) ? options.dryRun.map(String) : [];
  const grace = q.get('gracePeriodSeconds');
  const policy = q.get('propagationPolicy') ?? options.propagationPolicy;
  const orphanQuery = q.get('orphanDependents');
  const orphanDependents = orphanQuery !== null ? orphanQuery === 'true' : typeof options.orphanDependents === 'boolean' ? options.orphanDependents : undefined;
  if (orphanDependents !== undefined && policy) {
    throw Errors.invalid(optionsKind('DeleteOptions'), '', [invalid(FieldPath.of('propagationPolicy'), policy, 'orphanDependents and deletionPropagation cannot be both set')]);
  }
  return {
    options: {
      gracePeriodSeconds: grace !== null ? Number(grace) : options.gracePeriodSeconds,
      propagationPolicy: (policy ?? (orphanDependents === undefined ? undefined : orphanDependents ? 'Orphan' : 'Background')) as DeleteOptions['propagationPolicy'],
      preconditions: options.preconditions,
      dryRun: dryRunOf(bodyDryRun, 'DELETE') || dryRun,
    },
    orphanDependents,
  };
}

/** The options kind of each write (its dryRun is validated as part of it). */
const OPTIONS_KIND: Readonly<Record<string, string>> = { POST: 'CreateOptions', PUT: 'UpdateOptions', PATCH: 'PatchOptions', DELETE: 'DeleteOptions' };

const optionsKind = (kind: string) => ({ group: 'meta.k8s.io', kind });

/**
 * Whether a write is a dry run: `dryRun` may only be "All" (Kubernetes' ValidateDryRun); anything
 * else is a 422, not a write. Reads ignore it.
 */
function dryRunOf(values: string[], method: string): boolean {
  const kind = OPTIONS_KIND[method];
  if (!kind) return false;
  if (values.some((value) => value !== 'All')) {
    // The value printed as Go prints a []string (%#v), as field.NotSupported does.
    const error = new FieldError('FieldValueNotSupported', 'dryRun', values, 'supported values: "All"');
    error.errorBody = () => `Unsupported value: []string{${values.map(goQuote).join(', ')}}: supported values: "All"`;
    throw Errors.invalid(optionsKind(kind), '', [error]);
  }
  return values.length > 0;
}

/**
 * A dry run writes nothing, so the store never gets to check a resourceVersion the request pins:
 * check it here as the real write would (409), against the store when the object at hand is behind it.
 */
function pinnedInDryRun(dryRun: boolean, registry: GenericRegistry, type: ResourceType, ns: string | undefined, name: string, compute: (current: KubeObject) => KubeObject): (current: KubeObject) => Promise<KubeObject> {
  return async (current) => {
    const next = compute(current);
    const pinned = (next as Partial<KubeObject> | null)?.metadata?.resourceVersion;
    if (!dryRun || !pinned || pinned === current.metadata.resourceVersion) return next;
    const stored = await registry.store.get(type, ns, name);
    if (pinned !== stored.metadata.resourceVersion) throw Errors.conflict(type, name);
    return compute(stored);
  };
}

/** The kinds whose delete answers with the deleted object (Kubernetes' ReturnDeletedObject); the others answer a Status. */
const RETURN_DELETED_OBJECT: ReadonlySet<string> = new Set(['pods', 'services', 'namespaces', 'serviceaccounts']);

function returnsDeletedObject(type: ResourceType): boolean {
  return type.group === '' && RETURN_DELETED_OBJECT.has(type.resource);
}

/** What a finished delete answers for the other kinds (the generic store's finalizeDelete): Success, naming the object by its resource. */
function deletedStatus(type: ResourceType, object: KubeObject): object {
  const details: Record<string, string> = { name: object.metadata.name! };
  if (type.group) details.group = type.group;
  details.kind = type.resource;
  if (object.metadata.uid) details.uid = object.metadata.uid;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}

/** A method the path has no route for (go-restful's 405, as the apiserver words it). */
const METHOD_NOT_ALLOWED = () => new ApiError(failureStatus(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {}));

/** The scale subresource (autoscaling/v1 Scale): what `kubectl scale` and the HPA read and write. */
async function handleScale(ctx: HandlerContext, type: ResourceType, ns: string | undefined, name: string, method: string, req: IncomingMessage, res: ServerResponse, dryRun: boolean, fieldManager: WriteOptions['fieldManager']): Promise<void> {
  const toScale = (object: KubeObject) => {
    const selector = object.spec?.selector as LabelSelectorObject | undefined;
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name, namespace: ns, uid: object.metadata.uid, resourceVersion: object.metadata.resourceVersion, creationTimestamp: object.metadata.creationTimestamp },
      spec: { replicas: object.spec?.replicas ?? 0 },
      status: { replicas: (object.status?.replicas as number | undefined) ?? 0, selector: labelSelectorAsSelector(selector).toString() },
    };
  };
  if (method === 'GET') return sendJson(res, 200, toScale(await ctx.registry.get(type, ns, name)));
  if (method !== 'PUT' && method !== 'PATCH') throw Errors.methodNotSupported(type, method.toLowerCase());
  const body = parseJson(await readBody(req), method === 'PUT' ? 'the body of the request' : 'the patch');
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
  const updated = await ctx.registry.update(
    type,
    ns,
    name,
    pinnedInDryRun(dryRun, ctx.registry, type, ns, name, (current) => {
      const scale = toScale(current);
      const next = (method === 'PUT' ? body : applyPatch(SCALE_TYPE, contentType, scale as unknown as KubeObject, body)) as { spec?: { replicas?: unknown }; metadata?: { resourceVersion?: string } };
      const replicas = next.spec?.replicas;
      if (!Number.isInteger(replicas) || (replicas as number) < 0) {
        throw Errors.invalid({ group: 'autoscaling', kind: 'Scale' }, name, [invalid(FieldPath.of('spec', 'replicas'), replicas, 'must be greater than or equal to 0')]);
      }
      const resourceVersion = method === 'PUT' ? next.metadata?.resourceVersion : undefined;
      return { ...current, spec: { ...current.spec, replicas }, metadata: { ...current.metadata, resourceVersion: resourceVersion || current.metadata.resourceVersion } };
    }),
    { dryRun, fieldManager },
  );
  return sendJson(res, 200, toScale(updated));
}

const SCALE_TYPE: ResourceType = { group: 'autoscaling', version: 'v1', kind: 'Scale', resource: 'scale', singular: 'scale', namespaced: true, strategy: {}, printer: { columns: [], row: () => [] } };

/** The Status a binding or an eviction answers with. */
const CREATED = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };

/** pods/binding (the scheduler's write, shared with gRPC Bind), pods/eviction. (log, exec, attach, portforward: streaming/.) */
async function handlePodSubresource(ctx: HandlerContext, type: ResourceType, ns: string | undefined, name: string, sub: string, method: string, req: IncomingMessage, res: ServerResponse, dryRun: boolean): Promise<void> {
  if (sub === 'binding' && method === 'POST') {
    const binding = parseJson(await readBody(req)) as { metadata?: { uid?: string }; target?: { name?: string } };
    await bindPod(ctx.registry, ns!, name, binding.target?.name ?? '', { uid: binding.metadata?.uid, dryRun });
    return sendJson(res, 201, CREATED);
  }
  if (sub === 'eviction' && method === 'POST') {
    await ctx.registry.delete(type, ns, name, { dryRun });
    return sendJson(res, 201, CREATED);
  }
  throw Errors.methodNotSupported(type, `${method.toLowerCase()} ${sub}`);
}
