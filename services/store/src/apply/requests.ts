import type { KeyValue } from '../mvcc/types';

/**
 * etcd v3 messages as @grpc/proto-loader hands them over (see @kubelab/proto): snake_case fields,
 * int64 as decimal strings, enums by name (an unknown enum value arrives as its number), bytes as
 * Buffers, every field present with its default.
 */
export interface ResponseHeader {
  cluster_id?: string;
  member_id?: string;
  revision: number;
  raft_term?: string;
}

export interface RangeRequest {
  key: Buffer;
  range_end: Buffer;
  limit: string;
  revision: string;
  sort_order: string | number;
  sort_target: string | number;
  serializable: boolean;
  keys_only: boolean;
  count_only: boolean;
  min_mod_revision: string;
  max_mod_revision: string;
  min_create_revision: string;
  max_create_revision: string;
}

export interface RangeResponse {
  header: ResponseHeader;
  kvs: KeyValue[];
  more: boolean;
  count: number;
}

export interface PutRequest {
  key: Buffer;
  value: Buffer;
  lease: string;
  prev_kv: boolean;
  ignore_value: boolean;
  ignore_lease: boolean;
}

export interface PutResponse {
  header: ResponseHeader;
  prev_kv?: KeyValue;
}

export interface DeleteRangeRequest {
  key: Buffer;
  range_end: Buffer;
  prev_kv: boolean;
}

export interface DeleteRangeResponse {
  header: ResponseHeader;
  deleted: number;
  prev_kvs: KeyValue[];
}

export type RequestOp =
  | { request: 'request_range'; request_range: RangeRequest }
  | { request: 'request_put'; request_put: PutRequest }
  | { request: 'request_delete_range'; request_delete_range: DeleteRangeRequest }
  | { request: 'request_txn'; request_txn: TxnRequest }
  | { request?: undefined };

export type ResponseOp =
  | { response_range: RangeResponse }
  | { response_put: PutResponse }
  | { response_delete_range: DeleteRangeResponse }
  | { response_txn: TxnResponse };

export interface Compare {
  result: string | number;
  target: string | number;
  key: Buffer;
  target_union?: 'version' | 'create_revision' | 'mod_revision' | 'value' | 'lease';
  version: string;
  create_revision: string;
  mod_revision: string;
  value: Buffer;
  lease: string;
  range_end: Buffer;
}

export interface TxnRequest {
  compare: Compare[];
  success: RequestOp[];
  failure: RequestOp[];
}

export interface TxnResponse {
  header: ResponseHeader;
  succeeded: boolean;
  responses: ResponseOp[];
}

export interface CompactionRequest {
  revision: string;
  physical: boolean;
}
