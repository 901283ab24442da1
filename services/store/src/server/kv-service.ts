import type { CompactionRequest, DeleteRangeRequest, PutRequest, RangeRequest, TxnRequest } from '../apply/requests';
import { Errors } from '../errors';
import type { ServerContext } from './context';
import { requestBytes } from './request-size';
import { unary, type ServiceHandlers } from './unary';

/** etcdserverpb.KV: Range, Put, DeleteRange, Txn, Compact. */
export function kvService(ctx: ServerContext): ServiceHandlers {
  const { applier, metrics } = ctx;
  // etcd refuses a request over --max-request-bytes as it hands it to raft: only writes, and only
  // once the request checks passed (the applier calls this at that point).
  const tooLarge = (request: object) => () => {
    if (requestBytes(request) > ctx.maxRequestBytes) throw Errors.requestTooLarge();
  };
  return {
    Range: unary(async (r: RangeRequest) => {
      const response = await applier.range(r);
      metrics.range.inc();
      return { ...response, header: ctx.header(response.header.revision) };
    }),
    Put: unary(async (r: PutRequest) => {
      const { response, durable } = applier.put(r, tooLarge(r));
      await durable;
      metrics.put.inc();
      return { ...response, header: ctx.header(response.header.revision) };
    }),
    DeleteRange: unary(async (r: DeleteRangeRequest) => {
      const { response, durable } = applier.deleteRange(r, tooLarge(r));
      await durable;
      metrics.delete.inc();
      return { ...response, header: ctx.header(response.header.revision) };
    }),
    Txn: unary(async (r: TxnRequest) => {
      const { response, durable } = applier.txn(r, tooLarge(r));
      const [body] = await Promise.all([response, durable]);
      metrics.txn.inc();
      return { ...body, header: ctx.header(body.header.revision) };
    }),
    Compact: unary(async (r: CompactionRequest) => {
      const { rev, done } = applier.compact(r);
      if (r.physical) await done;
      else done.catch(() => undefined);
      return { header: ctx.header(rev) };
    }),
  };
}
