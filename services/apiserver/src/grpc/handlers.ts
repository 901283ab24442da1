import type { Logger } from '@kubelab/component-base';
import type { BindRequest, CreateRequest, DeleteRequest, DeleteResponse, GetRequest, ListRequest, ListResponse, ObjectResponse, PatchRequest, UpdateRequest } from '@kubelab/proto';
import { ApiError, Errors } from '../errors';
import { applyPatch } from '../endpoints/patch';
import { listSelected, objectFilter } from '../endpoints/selectors';
import type { DeleteOptions, GenericRegistry, WritableSubresource, WriteOptions } from '../registry/generic-registry';
import { userAgentManager } from '../endpoints/field-manager';
import type { IncomingHttpHeaders } from 'node:http2';
import { bindPod } from '../registry/pod-binding';
import type { KubeObject } from '../registry/types';
import { checkSubresource, decodeObject, encodeObject, requestScope } from './request-scope';
import { sharedObjectBytes } from './shared-bytes';

/** What every handler of the Objects service shares. */
export interface ObjectsContext {
  registry: GenericRegistry;
  bookmarkIntervalMs: number;
  log: Logger;
  /** Ends every open watch (at shutdown). */
  watches: Set<() => void>;
}

/** A unary verb: the decoded request (and the call's headers) in, the response out; what it throws becomes the call's status. */
export type UnaryHandler = (request: never, headers: IncomingHttpHeaders) => Promise<unknown>;

/**
 * The unary verbs of the Objects service, each the same steps as its REST counterpart in
 * endpoints/resource-handler.ts, on the same GenericRegistry: only the wire differs.
 */
export function unaryHandlers(ctx: ObjectsContext): Record<string, UnaryHandler> {
  const { registry } = ctx;
  return {
    Get: unary(ctx, 'Get', async (r: GetRequest): Promise<ObjectResponse> => {
      const { type, namespace } = requestScope(r, true);
      return { object: encodeObject(await registry.get(type, namespace, r.name)) };
    }),

    List: unary(ctx, 'List', async (r: ListRequest): Promise<ListResponse> => {
      const { type, namespace } = requestScope(r, false);
      const filter = objectFilter(type, r.labelSelector || null, r.fieldSelector || null);
      const selecting = Boolean(r.labelSelector || r.fieldSelector);
      const list = await listSelected(registry.store, type, namespace, { filter, selecting, limit: r.limit, continue: r.continue || undefined });
      return {
        // Listed objects come from the watch cache (or fresh from the store): encoded once across relists.
        items: list.items.map(sharedObjectBytes),
        resourceVersion: list.resourceVersion,
        continue: list.continue ?? '',
        remainingItemCount: list.remainingItemCount ?? 0,
      };
    }),

    Create: unary(ctx, 'Create', async (r: CreateRequest, headers): Promise<ObjectResponse> => {
      const body = decodeObject(r.object) as KubeObject;
      // A namespace in the object stands for the request's, as kubectl fills the path from it.
      const namespace = r.namespace || (body?.metadata?.namespace ?? '');
      const scope = requestScope({ ...r, namespace }, true);
      return { object: encodeObject(await registry.create(scope.type, scope.namespace, body, { dryRun: r.dryRun, fieldManager: managerOf(headers) })) };
    }),

    Update: unary(ctx, 'Update', (r: UpdateRequest, headers) => update(ctx, r, undefined, headers)),
    UpdateStatus: unary(ctx, 'UpdateStatus', (r: UpdateRequest, headers) => update(ctx, r, 'status', headers)),
    Finalize: unary(ctx, 'Finalize', (r: UpdateRequest, headers) => update(ctx, r, 'finalize', headers)),

    Patch: unary(ctx, 'Patch', async (r: PatchRequest, headers): Promise<ObjectResponse> => {
      const { type, namespace } = requestScope(r, true);
      const subresource = checkSubresource(type, r.subresource);
      const patch = decodeObject(r.patch, 'the patch');
      const updated = await registry.update(type, namespace, r.name, (current) => applyPatch(type, r.patchType, current, patch), { dryRun: r.dryRun, subresource, fieldManager: managerOf(headers) });
      return { object: encodeObject(updated) };
    }),

    Delete: unary(ctx, 'Delete', async (r: DeleteRequest): Promise<DeleteResponse> => {
      const { type, namespace } = requestScope(r, true);
      const options: DeleteOptions = { dryRun: r.dryRun };
      if (r.gracePeriodSeconds !== undefined) options.gracePeriodSeconds = r.gracePeriodSeconds;
      if (r.propagationPolicy) options.propagationPolicy = r.propagationPolicy as DeleteOptions['propagationPolicy'];
      if (r.preconditions && (r.preconditions.uid || r.preconditions.resourceVersion)) {
        options.preconditions = { uid: r.preconditions.uid || undefined, resourceVersion: r.preconditions.resourceVersion || undefined };
      }
      const { object, finished } = await registry.delete(type, namespace, r.name, options);
      return { object: encodeObject(object), finished };
    }),

    Bind: unary(ctx, 'Bind', async (r: BindRequest): Promise<ObjectResponse> => {
      const { namespace } = requestScope({ group: '', version: 'v1', resource: 'pods', namespace: r.namespace }, true);
      const pod = await bindPod(registry, namespace!, r.name, r.nodeName, { uid: r.uid || undefined, dryRun: r.dryRun });
      return { object: encodeObject(pod) };
    }),
  };
}

/** PUT of the object or of its status: the object's resourceVersion, if any, pins the write. */
async function update(ctx: ObjectsContext, r: UpdateRequest, subresource: WritableSubresource | undefined, headers: IncomingHttpHeaders): Promise<ObjectResponse> {
  const body = decodeObject(r.object) as KubeObject;
  const namespace = r.namespace || (body?.metadata?.namespace ?? '');
  const { type, namespace: ns } = requestScope({ ...r, namespace }, true);
  if (subresource) checkSubresource(type, subresource);
  const name = r.name || body?.metadata?.name;
  if (!name) throw Errors.badRequest('the request needs a name (or the object a metadata.name)');
  const updated = await ctx.registry.update(type, ns, name, () => body, { dryRun: r.dryRun, subresource, fieldManager: managerOf(headers) });
  return { object: encodeObject(updated) };
}

/** A component's writes are recorded in managedFields by its user agent's first part, as client-go's are. */
function managerOf(headers: IncomingHttpHeaders): WriteOptions['fieldManager'] {
  const name = userAgentManager(headers['user-agent']);
  return name ? { name } : undefined;
}

/**
 * Wraps a verb for logging as the REST requests are: one debug line per call, an error line for
 * anything that is not an ApiError. What it throws goes on to the transport, which sends it as
 * the call's status (status.ts).
 */
function unary<Req extends { resource?: string; namespace?: string; name?: string }, Res>(ctx: ObjectsContext, method: string, handler: (request: Req, headers: IncomingHttpHeaders) => Promise<Res>): UnaryHandler {
  return (async (request: Req, headers: IncomingHttpHeaders): Promise<Res> => {
    const started = performance.now();
    const log = (code: number) => {
      if (ctx.log.isLevelEnabled('debug')) ctx.log.debug({ method, resource: request.resource ?? 'pods', namespace: request.namespace, name: request.name, code, ms: Math.round(performance.now() - started) }, 'grpc call');
    };
    try {
      const response = await handler(request, headers);
      log(200);
      return response;
    } catch (error) {
      if (!(error instanceof ApiError)) ctx.log.error({ err: (error as Error).message, stack: (error as Error).stack, method }, 'grpc call failed');
      log(error instanceof ApiError ? error.status.code : 500);
      throw error;
    }
  }) as UnaryHandler;
}
