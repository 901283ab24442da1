import { Bucket } from '../mvcc/backend';
import type { KVStore, LeaseHooks } from '../mvcc/kv-store';
import { NO_LEASE } from '../mvcc/types';
import { Errors } from '../errors';
import { Lease } from './lease';

export interface Clock {
  now(): number;
}

export interface LessorOptions {
  /** Leases shorter than this many seconds are granted with it (etcd: 1.5 × election timeout, rounded up: 2). */
  minTTL: number;
  /** Lowest 16 bits of the member ID, the high bits of generated lease IDs, as etcd does. */
  memberId: bigint;
  clock: Clock;
}

/** etcd's upper bound on a lease TTL, in seconds. */
export const MAX_LEASE_TTL = 9_000_000_000;

/**
 * Grants, renews and revokes leases (etcd's lessor). Lease records are persisted (ID and TTL); at
 * start-up every lease is restored with its full TTL, as etcd does. An expired lease is revoked
 * like any other: one write that deletes all its keys, so watchers see one revision of deletes.
 */
export class Lessor implements LeaseHooks {
  readonly leases = new Map<string, Lease>();
  private sequence = 0n;

  constructor(
    private readonly kv: KVStore,
    private readonly options: LessorOptions,
  ) {
    kv.leaseHooks = this;
  }

  /** Reloads the persisted leases; call before the KV store restores (it re-attaches keys). */
  async restore(): Promise<void> {
    const now = this.options.clock.now();
    // Every 9-byte lease key, negative IDs (high bit set, so ff… for -1 .. -2^56) included.
    const last = Buffer.alloc(9, 0xff);
    last[0] = Bucket.lease;
    for await (const [key, value] of this.kv.backend.iterate(Buffer.from([Bucket.lease]), last)) {
      const id = key.readBigInt64BE(1).toString();
      const { ttl } = JSON.parse(value.toString()) as { ttl: number };
      this.leases.set(id, new Lease(id, ttl, now));
    }
  }

  attach(lease: string, key: string): void {
    this.leases.get(lease)?.keys.add(key);
  }

  detach(lease: string, key: string): void {
    this.leases.get(lease)?.keys.delete(key);
  }

  lookup(id: string): Lease | undefined {
    return this.leases.get(id);
  }

  /** Grants a lease; `id` "0" lets the lessor choose. Resolves when the grant is durable. */
  async grant(id: string, ttl: number): Promise<Lease> {
    if (ttl > MAX_LEASE_TTL) throw Errors.leaseTTLTooLarge();
    const leaseId = id === NO_LEASE ? this.newId() : id;
    if (this.leases.has(leaseId)) throw Errors.leaseExists();
    const lease = new Lease(leaseId, Math.max(ttl, this.options.minTTL), this.options.clock.now());
    this.leases.set(leaseId, lease);
    await this.kv.backend.write([{ type: 'put', key: leaseKey(leaseId), value: Buffer.from(JSON.stringify({ ttl: lease.ttl })) }]);
    return lease;
  }

  /** Revokes a lease and deletes its keys in one revision. Resolves when durable. */
  async revoke(id: string): Promise<void> {
    const lease = this.leases.get(id);
    if (!lease) throw Errors.leaseNotFound();
    this.leases.delete(id);
    const txn = this.kv.write();
    for (const key of [...lease.keys].sort()) txn.deleteRange({ key, end: undefined });
    txn.addOperation({ type: 'del', key: leaseKey(id) });
    await txn.end();
  }

  /** Renews a lease; returns its TTL, or throws leaseNotFound. */
  renew(id: string): number {
    const lease = this.leases.get(id);
    if (!lease || lease.expiry <= this.options.clock.now()) throw Errors.leaseNotFound();
    lease.refresh(this.options.clock.now());
    return lease.ttl;
  }

  /** Revokes every lease whose time is up; returns their IDs. */
  async revokeExpired(): Promise<string[]> {
    const now = this.options.clock.now();
    const expired = [...this.leases.values()].filter((lease) => lease.expiry <= now).map((lease) => lease.id);
    await Promise.all(expired.map((id) => this.revoke(id).catch(() => undefined)));
    return expired;
  }

  /** Checks for expired leases every `intervalMs` (etcd checks every 500 ms). */
  startExpiryLoop(intervalMs = 500): () => void {
    const timer = setInterval(() => void this.revokeExpired(), intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** A positive 64-bit ID: the member's low 16 bits, then a time-seeded sequence, as etcd's IDs look. */
  private newId(): string {
    for (;;) {
      if (this.sequence === 0n) this.sequence = BigInt(this.options.clock.now()) << 8n;
      this.sequence++;
      const id = ((this.options.memberId & 0x7fffn) << 48n) | (this.sequence & 0xffff_ffff_ffffn);
      const text = id.toString();
      if (id !== 0n && !this.leases.has(text)) return text;
    }
  }
}

function leaseKey(id: string): Buffer {
  const bytes = Buffer.alloc(9);
  bytes[0] = Bucket.lease;
  bytes.writeBigInt64BE(BigInt(id), 1);
  return bytes;
}

