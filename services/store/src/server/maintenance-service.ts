import { Errors } from '../errors';
import type { ServerContext } from './context';
import { unary, type ServiceHandlers } from './unary';

/** The etcd version whose API the store speaks; clients may gate features on it. */
export const ETCD_API_VERSION = '3.4.0';

/** etcdserverpb.Maintenance: Status (etcdctl endpoint status), Alarm (none ever raised), Defragment. */
export function maintenanceService(ctx: ServerContext): ServiceHandlers {
  return {
    Status: unary(() => {
      const size = ctx.kv.backend.sizeOnDisk();
      return {
        header: ctx.header(),
        version: ETCD_API_VERSION,
        dbSize: size,
        leader: ctx.member.id.toString(),
        raftIndex: ctx.kv.currentRev,
        raftTerm: ctx.member.term,
        raftAppliedIndex: ctx.kv.currentRev,
        errors: [],
        dbSizeInUse: size,
        isLearner: false,
      };
    }),
    Alarm: unary((r: { action: string }) => {
      if (r.action !== 'GET' && r.action !== 'DEACTIVATE') throw Errors.notCapable();
      return { header: ctx.header(), alarms: [] };
    }),
    Defragment: unary(async () => {
      await ctx.kv.backend.defragment();
      return { header: ctx.header() };
    }),
  };
}
