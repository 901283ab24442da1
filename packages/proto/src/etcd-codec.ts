import * as decode from './etcd-codec-decode';
import type { Decoded } from './etcd-codec-decode';
import * as encode from './etcd-codec-encode';
import { WireReader, type WireWriter } from './protobuf-wire';

/**
 * A hand-written codec for the etcd v3 messages every apiserver request and every store answer
 * carries (Range, Put, DeleteRange, Txn, Watch). @grpc/proto-loader's generic one converts each
 * message through protobufjs twice (fromObject + encode, decode + toObject) and, with 64-bit
 * integers as strings, through a Long object per field; in a pod burst that was a quarter of the
 * store's CPU and a tenth of the apiserver's. This one reads and writes the wire directly.
 *
 * Its objects are exactly proto-loader's under ETCD_PROTO_OPTIONS (etcd-codec.test.ts checks both
 * directions against proto-loader), so it slots into the same grpc-js service definitions with no
 * change for callers. The other etcd messages keep proto-loader's codec.
 */
export interface EtcdMessageCodec {
  serialize(message: unknown): Buffer;
  deserialize(bytes: Uint8Array): Decoded;
}

type Sizer = (message: Record<string, unknown>, depth: number) => number;
type Writer = (w: WireWriter, message: Record<string, unknown>) => void;

function messageCodec(name: string, size: Sizer, write: Writer, read: (r: WireReader, end: number) => Decoded): EtcdMessageCodec {
  return {
    serialize: (message) => encode.encodeMessage(message, name, size, write),
    deserialize: (bytes) => {
      const reader = new WireReader(bytes);
      return read(reader, reader.buf.length);
    },
  };
}

export const etcdCodecs = {
  RangeRequest: messageCodec('.etcdserverpb.RangeRequest', encode.sizeRangeRequest, encode.writeRangeRequest, decode.decodeRangeRequest),
  RangeResponse: messageCodec('.etcdserverpb.RangeResponse', encode.sizeRangeResponse, encode.writeRangeResponse, decode.decodeRangeResponse),
  PutRequest: messageCodec('.etcdserverpb.PutRequest', encode.sizePutRequest, encode.writePutRequest, decode.decodePutRequest),
  PutResponse: messageCodec('.etcdserverpb.PutResponse', encode.sizePutResponse, encode.writePutResponse, decode.decodePutResponse),
  DeleteRangeRequest: messageCodec('.etcdserverpb.DeleteRangeRequest', encode.sizeDeleteRangeRequest, encode.writeDeleteRangeRequest, decode.decodeDeleteRangeRequest),
  DeleteRangeResponse: messageCodec('.etcdserverpb.DeleteRangeResponse', encode.sizeDeleteRangeResponse, encode.writeDeleteRangeResponse, decode.decodeDeleteRangeResponse),
  TxnRequest: messageCodec('.etcdserverpb.TxnRequest', encode.sizeTxnRequest, encode.writeTxnRequest, decode.decodeTxnRequest),
  TxnResponse: messageCodec('.etcdserverpb.TxnResponse', encode.sizeTxnResponse, encode.writeTxnResponse, decode.decodeTxnResponse),
  WatchRequest: messageCodec('.etcdserverpb.WatchRequest', encode.sizeWatchRequest, encode.writeWatchRequest, decode.decodeWatchRequest),
  WatchResponse: messageCodec('.etcdserverpb.WatchResponse', encode.sizeWatchResponse, encode.writeWatchResponse, decode.decodeWatchResponse),
} satisfies Record<string, EtcdMessageCodec>;

export type EtcdMessageName = keyof typeof etcdCodecs;

/** The methods that use this codec: service → method → [request, response]. */
export const ETCD_CODEC_METHODS: Record<string, Record<string, readonly [EtcdMessageCodec, EtcdMessageCodec]>> = {
  KV: {
    Range: [etcdCodecs.RangeRequest, etcdCodecs.RangeResponse],
    Put: [etcdCodecs.PutRequest, etcdCodecs.PutResponse],
    DeleteRange: [etcdCodecs.DeleteRangeRequest, etcdCodecs.DeleteRangeResponse],
    Txn: [etcdCodecs.TxnRequest, etcdCodecs.TxnResponse],
  },
  Watch: {
    Watch: [etcdCodecs.WatchRequest, etcdCodecs.WatchResponse],
  },
};
