import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The store's Prometheus metrics, named after etcd's where etcd has one. */
export interface StoreMetrics {
  registry: Registry;
  range: Counter;
  put: Counter;
  delete: Counter;
  txn: Counter;
  watchStreams: Gauge;
  watchers: Gauge;
  commitDuration: Histogram;
}

export function createStoreMetrics(source: { currentRev(): number; keys(): number; dbSize(): number; leases(): number }): StoreMetrics {
  const registry = new Registry();
  const counter = (name: string, help: string) => new Counter({ name, help, registers: [registry] });
  new Gauge({ name: 'etcd_debugging_mvcc_current_revision', help: 'The current revision of the store.', registers: [registry], collect() { this.set(source.currentRev()); } });
  new Gauge({ name: 'etcd_debugging_mvcc_keys_total', help: 'Total number of keys.', registers: [registry], collect() { this.set(source.keys()); } });
  new Gauge({ name: 'etcd_mvcc_db_total_size_in_bytes', help: 'Total size of the underlying database in bytes.', registers: [registry], collect() { this.set(source.dbSize()); } });
  new Gauge({ name: 'etcd_debugging_lease_total', help: 'Number of leases granted and not yet revoked.', registers: [registry], collect() { this.set(source.leases()); } });
  return {
    registry,
    range: counter('etcd_mvcc_range_total', 'Total number of ranges seen by this member.'),
    put: counter('etcd_mvcc_put_total', 'Total number of puts seen by this member.'),
    delete: counter('etcd_mvcc_delete_total', 'Total number of deletes seen by this member.'),
    txn: counter('etcd_mvcc_txn_total', 'Total number of txns seen by this member.'),
    watchStreams: new Gauge({ name: 'etcd_debugging_mvcc_watch_stream_total', help: 'Total number of watch streams.', registers: [registry] }),
    watchers: new Gauge({ name: 'etcd_debugging_mvcc_watcher_total', help: 'Total number of watchers.', registers: [registry] }),
    commitDuration: new Histogram({
      name: 'etcd_disk_backend_commit_duration_seconds',
      help: 'The latency distributions of commit called by backend.',
      buckets: [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192],
      registers: [registry],
    }),
  };
}
