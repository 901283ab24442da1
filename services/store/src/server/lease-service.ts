import type { ServerStream } from '@kubelab/proto';
import { Errors, StoreError, toCallStatus } from '../errors';
import type { ServerContext } from './context';
import { bidi, unary, type ServiceHandlers } from './unary';

/** etcdserverpb.Lease: Grant, Revoke, KeepAlive (a stream), TimeToLive, Leases. */
export function leaseService(ctx: ServerContext): ServiceHandlers {
  const { lessor } = ctx;
  const now = () => Date.now();
  return {
    LeaseGrant: unary(async (r: { ID: string; TTL: string }) => {
      const lease = await lessor.grant(r.ID, Number(r.TTL));
      return { header: ctx.header(), ID: lease.id, TTL: lease.ttl, error: '' };
    }),
    LeaseRevoke: unary(async (r: { ID: string }) => {
      await lessor.revoke(r.ID);
      return { header: ctx.header() };
    }),
    // A stream of renewals (clients keep one open per lease): each request is answered in order with the lease's TTL.
    LeaseKeepAlive: bidi((call: ServerStream<object>) => {
      const stop = () => call.end(toCallStatus(Errors.stopped()));
      ctx.streams.add(stop);
      call.onCancel(() => ctx.streams.delete(stop));
      return {
        onMessage(r: { ID: string }) {
          let ttl = 0;
          try {
            ttl = lessor.renew(r.ID);
          } catch (error) {
            // etcd answers a keep-alive for an unknown lease with TTL 0 rather than an error.
            if (!(error instanceof StoreError)) throw error;
          }
          call.write({ header: ctx.header(), ID: r.ID, TTL: ttl });
        },
        onHalfClose() {
          ctx.streams.delete(stop);
          call.end();
        },
      };
    }),
    LeaseTimeToLive: unary((r: { ID: string; keys: boolean }) => {
      const lease = lessor.lookup(r.ID);
      if (!lease) return { header: ctx.header(), ID: r.ID, TTL: -1, grantedTTL: 0, keys: [] };
      const keys = r.keys ? [...lease.keys].sort().map((key) => Buffer.from(key, 'latin1')) : [];
      return { header: ctx.header(), ID: lease.id, TTL: lease.remaining(now()), grantedTTL: lease.ttl, keys };
    }),
    LeaseLeases: unary(() => ({
      header: ctx.header(),
      leases: [...lessor.leases.keys()].map((ID) => ({ ID })),
    })),
  };
}
