import * as grpc from '@grpc/grpc-js';
import { applyJsonPatch, applyMergePatch, failureStatus, strategicMergePatch, strategicMergePatchSupported, type Status } from '@kubelab/apimachinery';
import { loadObjectsApi, STATUS_METADATA_KEY, type BindRequest, type CreateRequest, type DeleteRequest, type GetRequest, type ListRequest, type PatchRequest, type UpdateRequest, type WatchEvent, type WatchRequest } from '@kubelab/proto';
import { metaTime } from '../meta-time';
import type { KubeObject } from '../types';

interface Change {
  revision: number;
  /** `group/resource`. */
  resource: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
}

/**
 * An in-memory Objects server for unit tests of the client library: a revision counter, a
 * history of changes to watch from, compaction (a watch from before it gets the 410 ERROR
 * event), and `breakWatches` to cut every stream as a dying apiserver would. It knows no kinds
 * and no validation: the real semantics are tested end to end against the real apiserver.
 * Writes fill in what any apiserver would (uid, creationTimestamp, a generated name) so that
 * controllers' unit tests can run their informers and writes against it.
 */
export class FakeObjectsServer {
  readonly objects = new Map<string, KubeObject>();
  private history: Change[] = [];
  private revision = 1;
  private compacted = 0;
  private uids = 0;
  private readonly streams = new Set<grpc.ServerWritableStream<WatchRequest, WatchEvent>>();
  private readonly server = new grpc.Server();
  /** Calls by method, to assert what the client did (e.g. that it did not relist). */
  readonly calls: Record<string, number> = {};
  port = 0;

  async start(): Promise<string> {
    const handlers = {
      Get: this.unary('Get', (r: GetRequest) => ({ object: this.encode(this.mustGet(r, r.name)) })),
      List: this.unary('List', (r: ListRequest) => ({ items: this.select(r).map((o) => this.encode(o)), resourceVersion: String(this.revision), continue: '', remainingItemCount: 0 })),
      Create: this.unary('Create', (r: CreateRequest) => {
        const object = JSON.parse(Buffer.from(r.object).toString()) as KubeObject;
        object.metadata.namespace ||= r.namespace || undefined;
        if (!object.metadata.name && object.metadata.generateName) object.metadata.name = object.metadata.generateName + Math.random().toString(36).slice(2, 7);
        object.metadata.uid ??= `uid-${++this.uids}`;
        object.metadata.creationTimestamp ??= metaTime(Date.now());
        if (this.objects.has(this.key(r, object.metadata.name!))) throw failureStatus(409, 'AlreadyExists', `${r.resource} "${object.metadata.name}" already exists`);
        return { object: this.encode(this.write(r, 'ADDED', object)) };
      }),
      Update: this.unary('Update', (r: UpdateRequest) => {
        const object = JSON.parse(Buffer.from(r.object).toString()) as KubeObject;
        const current = this.mustGet(r, r.name || object.metadata.name!);
        const pinned = object.metadata.resourceVersion;
        if (pinned && pinned !== current.metadata.resourceVersion) throw failureStatus(409, 'Conflict', `Operation cannot be fulfilled on ${r.resource} "${r.name}": the object has been modified; please apply your changes to the latest version and try again`);
        return { object: this.encode(this.settle(r, { ...object, metadata: { ...object.metadata, namespace: current.metadata.namespace } })) };
      }),
      UpdateStatus: this.unary('UpdateStatus', (r: UpdateRequest) => {
        const object = JSON.parse(Buffer.from(r.object).toString()) as KubeObject;
        const current = this.mustGet(r, r.name || object.metadata.name!);
        return { object: this.encode(this.write(r, 'MODIFIED', { ...current, status: object.status })) };
      }),
      Patch: this.unary('Patch', (r: PatchRequest) => {
        const current = this.mustGet(r, r.name);
        const patch = JSON.parse(Buffer.from(r.patch).toString()) as unknown;
        const patched =
          r.patchType === 'application/json-patch+json'
            ? applyJsonPatch(current, patch)
            : r.patchType === 'application/merge-patch+json'
              ? applyMergePatch(current as never, patch as never)
              : strategicMergePatchSupported(String(current.kind ?? ''))
                ? strategicMergePatch(current as never, patch as never, String(current.kind))
                : applyMergePatch(current as never, patch as never);
        // As the apiserver: a patch of the status subresource changes status and nothing else.
        if (r.subresource === 'status') return { object: this.encode(this.write(r, 'MODIFIED', { ...current, status: (patched as unknown as KubeObject).status })) };
        return { object: this.encode(this.settle(r, patched as unknown as KubeObject)) };
      }),
      Bind: this.unary('Bind', (r: BindRequest) => {
        const where = { group: '', version: 'v1', resource: 'pods', namespace: r.namespace };
        const pod = this.mustGet(where, r.name);
        if ((pod.spec as { nodeName?: string } | undefined)?.nodeName) throw failureStatus(409, 'Conflict', `Operation cannot be fulfilled on pods/binding "${r.name}": pod ${r.name} is already assigned to node "${(pod.spec as { nodeName: string }).nodeName}"`);
        return { object: this.encode(this.write(where, 'MODIFIED', { ...pod, spec: { ...pod.spec, nodeName: r.nodeName } })) };
      }),
      Finalize: this.unary('Finalize', (r: UpdateRequest) => {
        const object = JSON.parse(Buffer.from(r.object).toString()) as KubeObject;
        const current = this.mustGet(r, r.name || object.metadata.name!);
        return { object: this.encode(this.settle(r, { ...current, spec: { ...current.spec, finalizers: object.spec?.finalizers ?? [] } })) };
      }),
      Delete: this.unary('Delete', (r: DeleteRequest) => {
        // As the apiserver: finalizers (and Foreground / Orphan) and bound pods' grace periods make a delete wait.
        const current = this.mustGet(r, r.name);
        const finalizers = [...(current.metadata.finalizers ?? [])];
        if (r.propagationPolicy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
        if (r.propagationPolicy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
        const graceful = r.resource === 'pods' && Boolean((current.spec as { nodeName?: string } | undefined)?.nodeName) && r.gracePeriodSeconds !== 0;
        const waitsForNamespace = r.resource === 'namespaces' && ((current.spec?.finalizers as string[] | undefined)?.length ?? 0) > 0;
        if (finalizers.length === 0 && !graceful && !waitsForNamespace) return { object: this.encode(this.write(r, 'DELETED', current)), finished: true };
        const deleting: KubeObject = { ...current, metadata: { ...current.metadata, finalizers, deletionTimestamp: current.metadata.deletionTimestamp ?? metaTime(Date.now()) } };
        if (!finalizers.length) delete deleting.metadata.finalizers;
        return { object: this.encode(this.write(r, 'MODIFIED', deleting)), finished: false };
      }),
      Watch: (call: grpc.ServerWritableStream<WatchRequest, WatchEvent>) => this.watch(call),
    };
    this.server.addService(loadObjectsApi().Objects.service, handlers as unknown as grpc.UntypedServiceImplementation);
    this.port = await new Promise<number>((resolve, reject) => this.server.bindAsync(`127.0.0.1:${this.port}`, grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    return `127.0.0.1:${this.port}`;
  }

  stop(): void {
    this.breakWatches();
    this.server.forceShutdown();
  }

  /** Writes an object as if another client had: create, update or delete (by `type`). */
  write(where: { group: string; version: string; resource: string }, type: Change['type'], object: KubeObject): KubeObject {
    const key = this.key(where, object.metadata.name!, object.metadata.namespace);
    const stored = structuredClone({ ...object, metadata: { ...object.metadata, resourceVersion: String(++this.revision) } });
    if (type === 'DELETED') this.objects.delete(key);
    else this.objects.set(key, stored);
    const change = { revision: this.revision, resource: `${where.group}/${where.resource}`, type, object: stored };
    this.history.push(change);
    for (const stream of this.streams) if (this.matches(stream.request, change)) stream.write(this.event(change.type, stored));
    return stored;
  }

  /** Writes an update; an object being deleted whose last finalizer went is deleted, as the apiserver does. */
  private settle(where: { group: string; version: string; resource: string }, object: KubeObject): KubeObject {
    const meta = object.metadata;
    const waiting = (meta.finalizers?.length ?? 0) > 0 || (where.resource === 'namespaces' && ((object.spec?.finalizers as string[] | undefined)?.length ?? 0) > 0);
    if (meta.deletionTimestamp && !waiting && where.resource !== 'pods') return this.write(where, 'DELETED', object);
    return this.write(where, 'MODIFIED', object);
  }

  /** Forgets the history up to now: a watch from an older resourceVersion gets 410 Expired. */
  compact(): void {
    this.compacted = this.revision;
    this.history = [];
  }

  /** Ends every open watch with UNAVAILABLE, as an apiserver that went away. */
  breakWatches(): void {
    for (const stream of this.streams) stream.emit('error', { code: grpc.status.UNAVAILABLE, details: 'the fake apiserver went away' });
    this.streams.clear();
  }

  get openWatches(): number {
    return this.streams.size;
  }

  private watch(call: grpc.ServerWritableStream<WatchRequest, WatchEvent>): void {
    this.calls.Watch = (this.calls.Watch ?? 0) + 1;
    const from = Number(call.request.resourceVersion || this.revision);
    if (from < this.compacted) {
      const status = failureStatus(410, 'Expired', `too old resource version: ${from} (${this.compacted})`);
      call.write({ type: 'ERROR', object: Buffer.from(JSON.stringify(status)) });
      call.end();
      return;
    }
    for (const change of this.history) if (change.revision > from && this.matches(call.request, change)) call.write(this.event(change.type, change.object));
    this.streams.add(call);
    call.on('cancelled', () => this.streams.delete(call));
  }

  private matches(r: WatchRequest | ListRequest, change: Pick<Change, 'resource' | 'object'>): boolean {
    return change.resource === `${r.group}/${r.resource}` && (!r.namespace || change.object.metadata.namespace === r.namespace);
  }

  private select(r: ListRequest): KubeObject[] {
    return [...this.objects].filter(([key, object]) => this.matches(r, { resource: key.split('/').slice(0, 2).join('/'), object })).map(([, object]) => object);
  }

  private mustGet(r: { group: string; version: string; resource: string; namespace: string }, name: string): KubeObject {
    const object = this.objects.get(this.key(r, name, r.namespace));
    if (!object) throw failureStatus(404, 'NotFound', `${r.resource} "${name}" not found`, { name, kind: r.resource });
    return object;
  }

  private key(r: { group: string; version: string; resource: string; namespace?: string }, name: string, namespace = r.namespace): string {
    return `${r.group}/${r.resource}/${namespace ?? ''}/${name}`;
  }

  private event(type: string, object: KubeObject): WatchEvent {
    return { type: type as WatchEvent['type'], object: this.encode(object) };
  }

  private encode(object: unknown): Buffer {
    return Buffer.from(JSON.stringify(object));
  }

  private unary<Req>(method: string, fn: (request: Req) => unknown): grpc.handleUnaryCall<Req, unknown> {
    return (call, callback) => {
      this.calls[method] = (this.calls[method] ?? 0) + 1;
      try {
        return callback(null, fn(call.request));
      } catch (thrown) {
        const status = thrown as Status;
        const metadata = new grpc.Metadata();
        metadata.set(STATUS_METADATA_KEY, Buffer.from(JSON.stringify(status)));
        return callback({ code: grpc.status.UNKNOWN, details: status.message, metadata });
      }
    };
  }
}
