import { FieldPath, invalid, labelSelectorAsSelector, type LabelSelectorObject } from '@kubelab/apimachinery';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Errors } from '../errors';
import type { DeleteOptions, GenericRegistry } from '../registry/generic-registry';
import { lookup } from '../registry/catalog';
import { bindPod } from '../registry/pod-binding';
import { groupVersion, type KubeObject, type ResourceType } from '../registry/types';
import { APPLY_PATCH, parseApplyConfiguration, serveApply } from './apply';
import { applyPatch } from './patch';
import { isKubernetesProtobuf } from './protobuf';
import { fieldValidationOf, unknownFields, type FieldValidation } from './field-validation';
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
  const dryRun = q.getAll('dryRun').includes('All');
  const rendering = negotiate(req.headers.accept, q.get('includeObject'));
  const sub = target.subresource;
  if (ns && target.name && ctx.streaming?.serves(type, sub)) return ctx.streaming.serve(type, sub, ns, target.name, url, req, res);
  if (sub && !(type.subresources ?? []).includes(sub as never)) throw Errors.notFoundPath();
  const method = req.method ?? 'GET';
  if (type.review) {
    if (method !== 'POST' || target.name) throw Errors.methodNotSupported(type, method.toLowerCase());
    // The answer does not depend on the question (everything is allowed), so a protobuf question
    // (kubectl's typed client) need not be decoded.
    const body = await readBody(req);
    const review = type.review(isKubernetesProtobuf(body) ? { metadata: {} } : (parseJson(body) as KubeObject));
    return sendJson(res, 201, { ...review, apiVersion: groupVersion(type), kind: type.kind });
  }

  if (!target.name) {
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
        const created = await registry.create(type, ns, body, { dryRun });
        return sendJson(res, 201, render(type, created, rendering));
      }
      case 'DELETE': {
        const filter = objectFilter(type, q.get('labelSelector'), q.get('fieldSelector'));
        const options = await deleteOptions(req, q, dryRun);
        const { items } = await registry.store.list(type, ns);
        const deleted: KubeObject[] = [];
        for (const object of items.filter(filter)) deleted.push((await registry.delete(type, object.metadata.namespace, object.metadata.name!, options)).object);
        return sendJson(res, 200, { kind: `${type.kind}List`, apiVersion: groupVersion(type), metadata: {}, items: deleted });
      }
      default:
        throw Errors.methodNotSupported(type, method.toLowerCase());
    }
  }

  const name = target.name;
  if (sub === 'scale') return handleScale(ctx, type, ns, name, method, req, res, dryRun);
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
      const updated = await registry.update(type, ns, name, () => body, { dryRun, subresource });
      return sendJson(res, 200, render(type, updated, rendering));
    }
    case 'PATCH': {
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
      if (contentType === APPLY_PATCH) {
        if (subresource) throw Errors.unsupportedMediaType();
        const config = parseApplyConfiguration(await readBody(req));
        checkFields(type, config, fieldValidationOf(q.get('fieldValidation')), res, 'patch');
        const applied = await serveApply(registry, { type, namespace: ns, name, config, fieldManager: q.get('fieldManager'), force: q.get('force') === 'true', dryRun });
        return sendJson(res, applied.code, render(type, applied.object, rendering));
      }
      // Parsed once: the patch is applied again if the object moved on meanwhile.
      const patch = parseJson(await readBody(req), 'the patch');
      if (contentType !== 'application/json-patch+json') checkFields(type, patch, fieldValidationOf(q.get('fieldValidation')), res, 'patch');
      const updated = await registry.update(type, ns, name, (current) => applyPatch(type, contentType, current, patch), { dryRun, subresource });
      return sendJson(res, 200, render(type, updated, rendering));
    }
    case 'DELETE': {
      if (subresource) throw Errors.methodNotSupported(type, 'delete');
      const { object, finished } = await registry.delete(type, ns, name, await deleteOptions(req, q, dryRun));
      return sendJson(res, finished ? 200 : 202, object);
    }
    default:
      throw Errors.methodNotSupported(type, method.toLowerCase());
  }
}

/**
 * Fields the kind's schema does not declare: with fieldValidation=Strict (what kubectl sends) a
 * 400 worded as Kubernetes words it, with Warn (the server's default) a `Warning` header that
 * kubectl prints, with Ignore nothing.
 */
function checkFields(type: ResourceType, body: unknown, mode: FieldValidation, res: ServerResponse, what: 'decode' | 'patch'): void {
  if (mode === 'Ignore') return;
  const unknown = unknownFields(type, body).map((field) => `unknown field ${JSON.stringify(field)}`);
  if (unknown.length === 0) return;
  if (mode === 'Strict') {
    const prefix = what === 'decode' ? `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: ` : '';
    throw Errors.badRequest(`${prefix}strict decoding error: ${unknown.join(', ')}`);
  }
  res.setHeader('Warning', unknown.map((warning) => `299 - ${JSON.stringify(warning)}`));
}

function render(type: ResourceType, object: KubeObject, rendering: ReturnType<typeof negotiate>): unknown {
  return rendering.table ? toTable(type, [object], rendering.table, { resourceVersion: object.metadata.resourceVersion }) : object;
}

/** DeleteOptions from the body (kubectl sends one) or the query. */
async function deleteOptions(req: IncomingMessage, q: URLSearchParams, dryRun: boolean): Promise<DeleteOptions> {
  const body = await readBody(req);
  const options = (body.length ? parseJson(body, 'DeleteOptions') : {}) as DeleteOptions & { dryRun?: string[] | boolean };
  const grace = q.get('gracePeriodSeconds');
  const policy = q.get('propagationPolicy');
  return {
    gracePeriodSeconds: grace !== null ? Number(grace) : options.gracePeriodSeconds,
    propagationPolicy: (policy ?? options.propagationPolicy) as DeleteOptions['propagationPolicy'],
    preconditions: options.preconditions,
    dryRun: dryRun || (Array.isArray(options.dryRun) && options.dryRun.includes('All')),
  };
}

/** The scale subresource (autoscaling/v1 Scale): what `kubectl scale` and the HPA read and write. */
async function handleScale(ctx: HandlerContext, type: ResourceType, ns: string | undefined, name: string, method: string, req: IncomingMessage, res: ServerResponse, dryRun: boolean): Promise<void> {
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
    (current) => {
      const scale = toScale(current);
      const next = (method === 'PUT' ? body : applyPatch(SCALE_TYPE, contentType, scale as unknown as KubeObject, body)) as { spec?: { replicas?: unknown }; metadata?: { resourceVersion?: string } };
      const replicas = next.spec?.replicas;
      if (!Number.isInteger(replicas) || (replicas as number) < 0) {
        throw Errors.invalid({ group: 'autoscaling', kind: 'Scale' }, name, [invalid(FieldPath.of('spec', 'replicas'), replicas, 'must be greater than or equal to 0')]);
      }
      const resourceVersion = method === 'PUT' ? next.metadata?.resourceVersion : undefined;
      return { ...current, spec: { ...current.spec, replicas }, metadata: { ...current.metadata, resourceVersion: resourceVersion || current.metadata.resourceVersion } };
    },
    { dryRun },
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
