import type { ServerContext } from './context';
import { unary, type ServiceHandlers } from './unary';

/** etcdserverpb.Cluster: MemberList, with the store as the only member. */
export function clusterService(ctx: ServerContext): ServiceHandlers {
  return {
    MemberList: unary(() => ({
      header: { ...ctx.header(), revision: 0 },
      members: [
        {
          ID: ctx.member.id.toString(),
          name: ctx.member.name,
          peerURLs: ctx.member.peerURLs,
          clientURLs: ctx.member.clientURLs,
          isLearner: false,
        },
      ],
    })),
  };
}
