import * as grpc from '@grpc/grpc-js';
import { loadEtcdApi } from '@kubelab/proto';

/** A key-value as the etcd v3 API returns it (int64 fields arrive as decimal strings). */
export interface EtcdKeyValue {
  key: Buffer;
  value: Buffer;
  create_revision: string;
  mod_revision: string;
  version: string;
}

export interface EtcdEvent {
  type: 'PUT' | 'DELETE';
  kv: EtcdKeyValue;
  prev_kv?: EtcdKeyValue | null;
}

/** What a watch tells its owner: events of one revision, or that its start revision is compacted. */
export type WatchMessage = { events: EtcdEvent[]; revision: number } | { progress: number } | { compacted: number } | { error: Error };

type Compare = { key: Buffer; target: 'MOD' | 'CREATE'; result: 'EQUAL'; mod_revision?: number; create_revision?: number };
type RequestOp = { request_put: { key: Buffer; value: Buffer } } | { request_delete_range: { key: Buffer; prev_kv: boolean } } | { request_range: { key: Buffer } };

/**
 * The apiserver's client of the etcd v3 API (etcd3 in Kubernetes' storage/etcd3): Range, Txn and
 * Watch on one gRPC channel. It works the same against the kubelab store and a real etcd.
 * loadEtcdApi's clients encode and decode these calls with @kubelab/proto's hand-written etcd codec
 * (etcd-codec.ts): the same objects as proto-loader's, for a fraction of the CPU.
 */
export class EtcdClient {
  private readonly kv: grpc.Client & Record<string, Function>;
  private readonly watchClient: grpc.Client & Record<string, Function>;

  constructor(endpoints: string[]) {
    const api = loadEtcdApi();
    const target = endpoints.map((url) => url.replace(/^https?:\/\//, '')).join(',');
    // One channel; gRPC reconnects by itself with back-off when the store comes back.
    // channelz bookkeeping costs CPU on every call and nothing here reads it.
    const options = { 'grpc.max_receive_message_length': -1, 'grpc.keepalive_time_ms': 30_000, 'grpc.enable_channelz': 0 };
    this.kv = new api.KV(target.split(',')[0]!, grpc.credentials.createInsecure(), options) as never;
    this.watchClient = new api.Watch(target.split(',')[0]!, grpc.credentials.createInsecure(), { ...options, channelOverride: this.kv.getChannel() }) as never;
  }

  async get(key: string): Promise<{ kv?: EtcdKeyValue; revision: number }> {
    const response = (await this.unary('Range', { key: Buffer.from(key) })) as { header: { revision: string }; kvs: EtcdKeyValue[] };
    return { kv: response.kvs[0], revision: Number(response.header.revision) };
  }

  /** Every key under `prefix` (ending in "/"), at the current revision, at most `limit` (0: all) from `startKey` on. */
  async list(prefix: string, options: { limit?: number; startKey?: string; revision?: number } = {}): Promise<{ kvs: EtcdKeyValue[]; revision: number; more: boolean; count: number }> {
    const response = (await this.unary('Range', {
      key: Buffer.from(options.startKey ?? prefix),
      range_end: prefixEnd(prefix),
      limit: options.limit ?? 0,
      revision: options.revision ?? 0,
    })) as { header: { revision: string }; kvs: EtcdKeyValue[]; more: boolean; count: string };
    return { kvs: response.kvs, revision: Number(response.header.revision), more: response.more, count: Number(response.count) };
  }

  /** Puts `value` only if `key` does not exist. */
  async create(key: string, value: Buffer): Promise<{ succeeded: boolean; revision: number }> {
    return this.txn([{ key: Buffer.from(key), target: 'CREATE', result: 'EQUAL', create_revision: 0 }], [{ request_put: { key: Buffer.from(key), value } }], [{ request_range: { key: Buffer.from(key) } }]);
  }

  /** Puts `value` only if `key` was last modified at `modRevision`; else returns the current one. */
  async update(key: string, value: Buffer, modRevision: number): Promise<{ succeeded: boolean; revision: number; current?: EtcdKeyValue }> {
    return this.txn([{ key: Buffer.from(key), target: 'MOD', result: 'EQUAL', mod_revision: modRevision }], [{ request_put: { key: Buffer.from(key), value } }], [{ request_range: { key: Buffer.from(key) } }]);
  }

  /** Deletes `key` only if it was last modified at `modRevision`. */
  async delete(key: string, modRevision: number): Promise<{ succeeded: boolean; revision: number; current?: EtcdKeyValue }> {
    return this.txn([{ key: Buffer.from(key), target: 'MOD', result: 'EQUAL', mod_revision: modRevision }], [{ request_delete_range: { key: Buffer.from(key), prev_kv: true } }], [{ request_range: { key: Buffer.from(key) } }]);
  }

  /**
   * Watches every key under `prefix` from `fromRevision` on (with previous values, so a delete
   * carries the object it deleted). `onMessage` hears each revision's events in order.
   */
  watch(prefix: string, fromRevision: number, onMessage: (message: WatchMessage) => void): { cancel(): void; requestProgress(): void } {
    const stream = this.watchClient.Watch!() as grpc.ClientDuplexStream<unknown, WatchResponse>;
    let open = true;
    stream.on('data', (response: WatchResponse) => {
      if (!open) return;
      if (response.compact_revision && Number(response.compact_revision) > 0) {
        open = false;
        onMessage({ compacted: Number(response.compact_revision) });
        stream.cancel();
        return;
      }
      if (response.events.length > 0) onMessage({ events: response.events, revision: Number(response.header.revision) });
      // An empty, not-created, not-canceled response is a progress notification: nothing up to this revision is missing.
      else if (!response.created && !response.canceled) onMessage({ progress: Number(response.header.revision) });
    });
    stream.on('error', (error: grpc.ServiceError) => {
      if (!open || error.code === grpc.status.CANCELLED) return;
      open = false;
      onMessage({ error });
    });
    stream.on('end', () => {
      if (open) {
        open = false;
        onMessage({ error: new Error('watch stream ended') });
      }
    });
    stream.write({ create_request: { key: Buffer.from(prefix), range_end: prefixEnd(prefix), start_revision: fromRevision, prev_kv: true } });
    return {
      cancel: () => {
        open = false;
        stream.cancel();
      },
      requestProgress: () => {
        if (open) stream.write({ progress_request: {} });
      },
    };
  }

  close(): void {
    this.watchClient.close();
    this.kv.close();
  }

  private async txn(compare: Compare[], success: RequestOp[], failure: RequestOp[]): Promise<{ succeeded: boolean; revision: number; current?: EtcdKeyValue }> {
    const response = (await this.unary('Txn', { compare, success, failure })) as {
      header: { revision: string };
      succeeded: boolean;
      responses: Array<{ response_range?: { kvs: EtcdKeyValue[] } }>;
    };
    const current = response.responses[0]?.response_range?.kvs[0];
    return { succeeded: response.succeeded, revision: Number(response.header.revision), current };
  }

  private unary(method: string, request: object): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.kv[method]!(request, { deadline: Date.now() + 30_000 }, (error: grpc.ServiceError | null, response: unknown) => (error ? reject(error) : resolve(response)));
    });
  }
}

interface WatchResponse {
  header: { revision: string };
  created: boolean;
  canceled: boolean;
  compact_revision: string;
  events: EtcdEvent[];
}

/** The end of the range of keys that start with `prefix` (etcd's "prefix end": last byte + 1). */
export function prefixEnd(prefix: string): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}
