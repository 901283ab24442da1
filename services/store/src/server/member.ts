import { randomBytes } from 'node:crypto';
import { Backend, Bucket } from '../mvcc/backend';

/**
 * The store's identity as the one member of its cluster. IDs are made on first start and kept in
 * the backend; the raft term goes up by one at each start, as a single-member etcd elects itself
 * in a new term each time it starts (so a fresh store reports term 2, as a fresh etcd does).
 */
export interface Member {
  name: string;
  id: bigint;
  clusterId: bigint;
  term: number;
  peerURLs: string[];
  clientURLs: string[];
}

export async function loadMember(backend: Backend, name: string, peerURLs: string[], clientURLs: string[]): Promise<Member> {
  const key = Backend.key(Bucket.meta, 'member');
  const stored = await backend.get(key);
  const saved = stored
    ? (JSON.parse(stored.toString()) as { id: string; clusterId: string; term: number })
    : { id: randomId().toString(), clusterId: randomId().toString(), term: 1 };
  const term = saved.term + 1;
  await backend.write([{ type: 'put', key, value: Buffer.from(JSON.stringify({ ...saved, term })) }]);
  return { name, id: BigInt(saved.id), clusterId: BigInt(saved.clusterId), term, peerURLs, clientURLs };
}

function randomId(): bigint {
  return randomBytes(8).readBigUInt64BE(0) || 1n;
}
