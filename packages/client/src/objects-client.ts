import * as grpc from '@grpc/grpc-js';
import { loadObjectsApi, type DeleteResponse, type ListResponse, type ObjectResponse, type PatchType, type WatchEvent as WireWatchEvent } from '@kubelab/proto';
import { toClientError } from './errors';
import { decodeObject as decode, encodeObject as encode } from './object-json';
import { ObjectWatch } from './object-watch';
import type { GroupVersionResource, KubeObject } from './types';

export interface ObjectsClientOptions {
  /** The deadline of each unary call (default 30 s). A watch has none. */
  callTimeoutMs?: number;
  /** gRPC's reconnect back-off after the apiserver went away (default 200 ms doubling to 5 s). */
  reconnectBackoff?: { initialMs: number; maxMs: number };
}

export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ListOptions {
  /** Omitted: every namespace. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

export interface ObjectList<T extends KubeObject = KubeObject> {
  items: T[];
  /** Watch from here to miss nothing that happened after the list. */
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface WatchOptions extends Omit<ListOptions, 'limit' | 'continue'> {
  /** '' or '0': the current objects first, as ADDED. Else what happened after this version. */
  resourceVersion?: string;
  allowBookmarks?: boolean;
  timeoutSeconds?: number;
}

export interface WriteOptions extends CallOptions {
  /** Omitted: the object's metadata.namespace. */
  namespace?: string;
  dryRun?: boolean;
}

export interface DeleteOptions extends CallOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

/** What a write answers: the object sent, with everything the apiserver fills in (metadata.uid, resourceVersion...). */
export type Stored<T extends KubeObject> = T & KubeObject;

type Stub = grpc.Client & Record<string, (...args: unknown[]) => grpc.ClientUnaryCall & grpc.ClientReadableStream<unknown>>;

/**
 * The client of the apiserver's object API (proto/kubelab/objects.proto), one gRPC channel.
 * When the apiserver is down a call fails at once with ApiserverUnavailableError (no call waits
 * for it to come back); gRPC keeps reconnecting with back-off, and calls succeed again as soon
 * as it is back. Errors the apiserver answers come back as the REST API's ApiError.
 */
export class ObjectsClient {
  private readonly stub: Stub;
  private readonly callTimeoutMs: number;

  constructor(
    /** host:port of the apiserver's gRPC port. */
    readonly target: string,
    options: ObjectsClientOptions = {},
  ) {
    const Objects = loadObjectsApi().Objects;
    const backoff = options.reconnectBackoff ?? { initialMs: 200, maxMs: 5_000 };
    this.stub = new Objects(target, grpc.credentials.createInsecure(), {
      'grpc.initial_reconnect_backoff_ms': backoff.initialMs,
      'grpc.max_reconnect_backoff_ms': backoff.maxMs,
      // A watch is quiet for long stretches: pings find a dead link that TCP would not report.
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.max_receive_message_length': -1,
      'grpc.enable_channelz': 0,
    }) as unknown as Stub;
    this.callTimeoutMs = options.callTimeoutMs ?? 30_000;
  }

  async get<T extends KubeObject = KubeObject>(gvr: GroupVersionResource, namespace: string | undefined, name: string, options: CallOptions = {}): Promise<T> {
    const response = await this.unary<ObjectResponse>('Get', { ...gvr, namespace: namespace ?? '', name }, options);
    return decode<T>(response.object);
  }

  async list<T extends KubeObject = KubeObject>(gvr: GroupVersionResource, options: ListOptions & CallOptions = {}): Promise<ObjectList<T>> {
    const response = await this.unary<ListResponse>(
      'List',
      { ...gvr, namespace: options.namespace ?? '', labelSelector: options.labelSelector ?? '', fieldSelector: options.fieldSelector ?? '', limit: options.limit ?? 0, continue: options.continue ?? '' },
      options,
    );
    const list: ObjectList<T> = { items: response.items.map((item) => decode<T>(item)), resourceVersion: response.resourceVersion };
    if (response.continue) list.continue = response.continue;
    if (response.remainingItemCount) list.remainingItemCount = response.remainingItemCount;
    return list;
  }

  /** Opens a watch; see ObjectWatch. */
  watch<T extends KubeObject = KubeObject>(gvr: GroupVersionResource, options: WatchOptions = {}): ObjectWatch<T> {
    const stream = this.stub.Watch!({
      ...gvr,
      namespace: options.namespace ?? '',
      labelSelector: options.labelSelector ?? '',
      fieldSelector: options.fieldSelector ?? '',
      resourceVersion: options.resourceVersion ?? '',
      allowBookmarks: options.allowBookmarks ?? false,
      timeoutSeconds: options.timeoutSeconds ?? 0,
    }) as grpc.ClientReadableStream<WireWatchEvent>;
    return new ObjectWatch<T>(stream, this.target);
  }

  /** Creates; the answer is the object as stored (name, uid, resourceVersion, defaults filled in). */
  async create<T extends KubeObject = KubeObject>(gvr: GroupVersionResource, object: T, options: WriteOptions = {}): Promise<Stored<T>> {
    const response = await this.unary<ObjectResponse>('Create', { ...gvr, namespace: options.namespace ?? object.metadata?.namespace ?? '', object: encode(object), dryRun: options.dryRun ?? false }, options);
    return decode<Stored<T>>(response.object);
  }

  /** Replaces the object; its metadata.resourceVersion, when set, makes a stale write a 409 Conflict. */
  update<T extends KubeObject = KubeObject>(gvr: GroupVersionResource, object: T, options: WriteOptions = {}): Promise<Stored<T>> {
    return this.put<T>('Update', gvr, object, options);
  }

  /** Replaces the object's status only (the status subresource). */
  updateStatus<T extends KubeObject = KubeObject>(gvr: GroupVersionResource, object: T, options: WriteOptions = {}): Promise<Stored<T>> {
    return this.put<T>('UpdateStatus', gvr, object, options);
  }

  /** Replaces a namespace's spec.finalizers (the finalize subresource): how the namespace controller lets a namespace go. */
  finalize<T extends KubeObject = KubeObject>(gvr: GroupVersionResource, object: T, options: WriteOptions = {}): Promise<Stored<T>> {
    return this.put<T>('Finalize', gvr, object, options);
  }

  /** Patches with a JSON patch (an array), a merge patch or a strategic merge patch (objects). */
  async patch<T extends KubeObject = KubeObject>(
    gvr: GroupVersionResource,
    namespace: string | undefined,
    name: string,
    patchType: PatchType,
    patch: unknown,
    options: CallOptions & { subresource?: 'status'; dryRun?: boolean } = {},
  ): Promise<T> {
    const response = await this.unary<ObjectResponse>(
      'Patch',
      { ...gvr, namespace: namespace ?? '', name, patchType, patch: encode(patch), subresource: options.subresource ?? '', dryRun: options.dryRun ?? false },
      options,
    );
    return decode<T>(response.object);
  }

  /** Deletes; `finished` false means deletion started (grace period or finalizers pending). */
  async delete<T extends KubeObject = KubeObject>(gvr: GroupVersionResource, namespace: string | undefined, name: string, options: DeleteOptions = {}): Promise<{ object: T; finished: boolean }> {
    const request: Record<string, unknown> = {
      ...gvr,
      namespace: namespace ?? '',
      name,
      propagationPolicy: options.propagationPolicy ?? '',
      preconditions: options.preconditions ? { uid: options.preconditions.uid ?? '', resourceVersion: options.preconditions.resourceVersion ?? '' } : null,
      dryRun: options.dryRun ?? false,
    };
    if (options.gracePeriodSeconds !== undefined) request.gracePeriodSeconds = options.gracePeriodSeconds;
    const response = await this.unary<DeleteResponse>('Delete', request, options);
    return { object: decode<T>(response.object), finished: response.finished };
  }

  /** pods/binding: assigns the pod to a node (what the scheduler does). Returns the bound pod. */
  async bind<T extends KubeObject = KubeObject>(namespace: string, name: string, nodeName: string, options: CallOptions & { uid?: string; dryRun?: boolean } = {}): Promise<T> {
    const response = await this.unary<ObjectResponse>('Bind', { namespace, name, nodeName, uid: options.uid ?? '', dryRun: options.dryRun ?? false }, options);
    return decode<T>(response.object);
  }

  close(): void {
    this.stub.close();
  }

  private async put<T extends KubeObject>(method: 'Update' | 'UpdateStatus' | 'Finalize', gvr: GroupVersionResource, object: T, options: WriteOptions): Promise<Stored<T>> {
    const response = await this.unary<ObjectResponse>(
      method,
      { ...gvr, namespace: options.namespace ?? object.metadata?.namespace ?? '', name: object.metadata?.name ?? '', object: encode(object), dryRun: options.dryRun ?? false },
      options,
    );
    return decode<Stored<T>>(response.object);
  }

  private unary<Res>(method: string, request: object, options: CallOptions): Promise<Res> {
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) return reject(toClientError({ code: grpc.status.CANCELLED, details: 'aborted before the call' }, this.target));
      const deadline = Date.now() + (options.timeoutMs ?? this.callTimeoutMs);
      const onAbort = () => call.cancel();
      const call = this.stub[method]!(request, { deadline }, (error: grpc.ServiceError | null, response: Res) => {
        // The signal may outlive many calls (an informer's): leave no listener behind.
        options.signal?.removeEventListener('abort', onAbort);
        if (error) reject(toClientError(error, this.target));
        else resolve(response);
      });
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
