/** A key's value at one revision, shaped as etcd's mvccpb.KeyValue (int64 lease as a decimal string). */
export interface KeyValue {
  key: Buffer;
  create_revision: number;
  mod_revision: number;
  version: number;
  value: Buffer;
  /** Lease ID as a decimal string; "0" means no lease. */
  lease: string;
}

export type EventType = 'PUT' | 'DELETE';

/** A change to one key, as delivered to watchers (mvccpb.Event). */
export interface Event {
  type: EventType;
  kv: KeyValue;
  /** The key's value before this change, if there was one. */
  prev_kv?: KeyValue;
}

export const NO_LEASE = '0';
