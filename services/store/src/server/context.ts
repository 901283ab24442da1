import type { Applier } from '../apply/applier';
import type { ResponseHeader } from '../apply/requests';
import type { Lessor } from '../lease/lessor';
import type { KVStore } from '../mvcc/kv-store';
import type { WatchableStore } from '../mvcc/watchable-store';
import type { Member } from './member';
import type { StoreMetrics } from '../metrics';

/** What the gRPC services share: the store's parts and its identity. */
export interface ServerContext {
  kv: KVStore;
  watchable: WatchableStore;
  lessor: Lessor;
  applier: Applier;
  member: Member;
  metrics: StoreMetrics;
  maxRequestBytes: number;
  progressNotifyIntervalMs: number;
  /** Ends each open stream (Watch, LeaseKeepAlive) as the store shuts down. */
  streams: Set<() => void>;
  /** The response header etcd sends: cluster, member, revision, raft term. */
  header(revision?: number): Required<ResponseHeader>;
}
