import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Backend } from '../mvcc/backend';
import { KVStore } from '../mvcc/kv-store';
import type { Event } from '../mvcc/types';
import { Lessor, MAX_LEASE_TTL } from './lessor';

/** A clock the test moves by hand: lease expiry never depends on real time here. */
class ManualClock {
  constructor(public ms = 1_700_000_000_000) {}
  now(): number {
    return this.ms;
  }
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

let dir: string;
let backend: Backend;
let kv: KVStore;
let clock: ManualClock;
let lessor: Lessor;
let committed: Array<{ rev: number; events: Event[] }>;

async function open(): Promise<void> {
  backend = await Backend.open(dir);
  kv = new KVStore(backend);
  lessor = new Lessor(kv, { minTTL: 2, memberId: 0x1234n, clock });
  await lessor.restore();
  await kv.restore();
  committed = [];
  kv.onCommit((rev, events) => committed.push({ rev, events }));
}

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelab-lessor-'));
  clock = new ManualClock();
  await open();
});

afterEach(async () => {
  await backend.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function put(key: string, lease: string): Promise<void> {
  const txn = kv.write();
  txn.put(Buffer.from(key), Buffer.from('v'), lease);
  await txn.end();
}

function liveKeys(): string[] {
  const { entries } = kv.range({ key: '\0', end: null }, 0, 0);
  return entries.map((entry) => ('key' in entry ? entry.key.toString() : '?'));
}

describe('Lessor', () => {
  it('grants with the minimum TTL, etcd-shaped IDs, and refuses duplicates and huge TTLs', async () => {
    const short = await lessor.grant('0', 1);
    expect(short.ttl).toBe(2);
    const id = BigInt(short.id);
    expect(id > 0n).toBe(true);
    expect(id >> 48n).toBe(0x1234n);
    const chosen = await lessor.grant('42', 60);
    expect(chosen.id).toBe('42');
    await expect(lessor.grant('42', 60)).rejects.toThrow('etcdserver: lease already exists');
    await expect(lessor.grant('0', MAX_LEASE_TTL + 1)).rejects.toThrow('etcdserver: too large lease TTL');
  });

  it('expires on its clock: nothing before the TTL, every key deleted in one revision after it', async () => {
    const lease = await lessor.grant('7', 10);
    await put('/a', '7');
    await put('/b', '7');
    await put('/other', '0');
    clock.advance(9.999);
    expect(await lessor.revokeExpired()).toEqual([]);
    clock.advance(0.001);
    expect(await lessor.revokeExpired()).toEqual([lease.id]);
    expect(liveKeys()).toEqual(['/other']);
    const last = committed.at(-1)!;
    expect(last.events.map((e) => [e.type, e.kv.key.toString()])).toEqual([
      ['DELETE', '/a'],
      ['DELETE', '/b'],
    ]);
    expect(last.rev).toBe(kv.currentRev);
    expect(lessor.lookup('7')).toBeUndefined();
  });

  it('keep-alive pushes the expiry out by a full TTL; renewing an expired lease fails', async () => {
    await lessor.grant('8', 5);
    clock.advance(4);
    expect(lessor.renew('8')).toBe(5);
    clock.advance(4);
    expect(await lessor.revokeExpired()).toEqual([]);
    expect(lessor.lookup('8')!.remaining(clock.now())).toBe(1);
    clock.advance(1);
    expect(() => lessor.renew('8')).toThrow('etcdserver: requested lease not found');
  });

  it('revoking an unknown lease is etcd\'s "requested lease not found"', async () => {
    await expect(lessor.revoke('999')).rejects.toThrow('etcdserver: requested lease not found');
  });

  it('a key moved to another lease, or deleted, no longer belongs to the first', async () => {
    await lessor.grant('1', 10);
    await lessor.grant('2', 100);
    await put('/moved', '1');
    await put('/moved', '2');
    await put('/gone', '1');
    const txn = kv.write();
    txn.deleteRange({ key: '/gone', end: undefined });
    await txn.end();
    expect([...lessor.lookup('1')!.keys]).toEqual([]);
    expect([...lessor.lookup('2')!.keys]).toEqual(['/moved']);
    clock.advance(10);
    await lessor.revokeExpired();
    expect(liveKeys()).toEqual(['/moved']);
  });

  it('after a restart every lease comes back with its keys and a full TTL, as in etcd', async () => {
    await lessor.grant('5', 30);
    await put('/leased', '5');
    clock.advance(29);
    await backend.close();
    await open();
    const lease = lessor.lookup('5')!;
    expect([...lease.keys]).toEqual(['/leased']);
    expect(lease.remaining(clock.now())).toBe(30);
    clock.advance(30);
    await lessor.revokeExpired();
    expect(liveKeys()).toEqual([]);
  });

  it('leases with negative IDs (a client may choose any int64) come back after a restart too', async () => {
    const ids = ['-1', '-72057594037927936', '-72057594037927937', '-9223372036854775808', '9223372036854775807', '1'];
    for (const id of ids) await lessor.grant(id, 30);
    await put('/by-minus-one', '-1');
    await backend.close();
    await open();
    expect([...lessor.leases.keys()].sort()).toEqual([...ids].sort());
    expect([...lessor.lookup('-1')!.keys]).toEqual(['/by-minus-one']);
  });
});
