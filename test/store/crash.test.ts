import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { noop } from 'cockatiel';
import { Etcd3 } from 'etcd3';
import { describe, expect, it } from 'vitest';
import { startKubelabStore, tempDir, type ServerProcess } from '@kubelab/testkit';

/**
 * Durability under kill -9: the store acknowledges a write only once it is on disk, so killing
 * the process at any moment may lose writes in flight, never acknowledged ones.
 *
 * Each cycle runs concurrent writers against the store, kills it with SIGKILL while writes are
 * in flight (once enough have been acknowledged), restarts it on the same data directory and
 * checks every acknowledged write is there, with its value and revision. The cycles share the
 * data directory, so each also checks that what the previous restart recovered stayed durable.
 */

const WRITERS = 16;
const KILL_AFTER_ACKS = 1_000;
const CYCLES = 3;
/** Every this many writes, a writer also overwrites its counter key (a key written many times). */
const COUNTER_EVERY = 8;

/** A client that sends each call once: no retries that could resend a write to a restarted store. */
function connect(server: ServerProcess): Etcd3 {
  return new Etcd3({ hosts: server.endpoint, faultHandling: { global: noop, host: () => noop } });
}

interface Acked {
  value: string;
  revision: number;
}

/** What the test knows, across cycles. */
class Ledger {
  /** Every key written once, with the value it was written with (acknowledged or not). */
  readonly attempted = new Map<string, string>();
  /** The writes the store acknowledged, with the revision it answered. */
  readonly acked = new Map<string, Acked>();
  /** Per writer: the highest counter value acknowledged, and the highest sent. */
  readonly counterAcked = new Map<number, number>();
  readonly counterSent = new Map<number, number>();
  maxAckedRevision = 0;
}

const pad = (n: number) => String(n).padStart(8, '0');
const counterKey = (writer: number) => `crash/counter/${String(writer).padStart(2, '0')}`;

/**
 * Writes from WRITERS concurrent writers until the store dies; kills it (SIGKILL) as soon as
 * KILL_AFTER_ACKS (plus a random few) writes of this cycle are acknowledged. Resolves once every
 * writer has stopped and the process has exited.
 */
async function writeUntilKilled(server: ServerProcess, ledger: Ledger, cycle: number, floorRevision: number) {
  const client = connect(server);
  let ackedThisCycle = 0;
  let inFlight = 0;
  let inFlightAtKill = -1;
  let killed: Promise<void> | undefined;
  let counter = cycle * 1_000_000;
  const revisionsBelowFloor: string[] = [];

  // Where in the stream the kill lands varies from run to run: any point must be safe.
  const killAfter = KILL_AFTER_ACKS + Math.floor(Math.random() * WRITERS);
  const acknowledge = (key: string, revision: number) => {
    if (revision <= floorRevision) revisionsBelowFloor.push(`${key}@${revision}`);
    ledger.maxAckedRevision = Math.max(ledger.maxAckedRevision, revision);
    ackedThisCycle++;
    if (!killed && ackedThisCycle >= killAfter) {
      inFlightAtKill = inFlight;
      // stop() sends the signal synchronously, right now, while the other writers' puts are in flight.
      killed = server.stop('SIGKILL');
    }
  };

  const put = async (key: string, value: string): Promise<number | undefined> => {
    inFlight++;
    try {
      const res = await client.put(key).value(value).exec();
      return Number(res.header.revision);
    } catch (error) {
      // Only the kill may fail a write.
      if (!killed) throw error;
      return undefined;
    } finally {
      inFlight--;
    }
  };

  const writer = async (w: number) => {
    for (let i = 0; !killed; i++) {
      if (i % COUNTER_EVERY === COUNTER_EVERY - 1) {
        const n = ++counter;
        ledger.counterSent.set(w, Math.max(ledger.counterSent.get(w) ?? 0, n));
        const revision = await put(counterKey(w), pad(n));
        if (revision === undefined) return;
        ledger.counterAcked.set(w, Math.max(ledger.counterAcked.get(w) ?? 0, n));
        acknowledge(counterKey(w), revision);
        continue;
      }
      const key = `crash/c${cycle}/w${String(w).padStart(2, '0')}/${pad(i)}`;
      const value = `${key} ${randomUUID()}`;
      ledger.attempted.set(key, value);
      const revision = await put(key, value);
      if (revision === undefined) return;
      ledger.acked.set(key, { value, revision });
      acknowledge(key, revision);
    }
  };

  try {
    await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
  } finally {
    client.close();
  }
  expect(killed, 'the store was killed during the cycle').toBeDefined();
  await killed;
  expect(server.child.signalCode, 'the store died of SIGKILL').toBe('SIGKILL');
  return { ackedThisCycle, inFlightAtKill, revisionsBelowFloor };
}

/** Reads everything back from the restarted store and checks it against the ledger. */
async function verify(server: ServerProcess, ledger: Ledger) {
  const client = connect(server);
  try {
    const res = await client.getAll().prefix('crash/').exec();
    const found = new Map(res.kvs.map((kv) => [kv.key.toString(), kv]));
    const revision = Number(res.header.revision);

    const missing: string[] = [];
    const wrong: string[] = [];
    for (const [key, { value, revision: acked }] of ledger.acked) {
      const kv = found.get(key);
      if (!kv) missing.push(key);
      else if (kv.value.toString() !== value || Number(kv.mod_revision) !== acked || kv.version !== '1')
        wrong.push(`${key}: has ${kv.value.toString()}@${kv.mod_revision} v${kv.version}, acknowledged ${value}@${acked}`);
    }
    // Writes not acknowledged may be there or not, but nothing the test did not write.
    const phantoms: string[] = [];
    let unackedPresent = 0;
    for (const [key, kv] of found) {
      if (key.startsWith('crash/counter/')) continue;
      if (ledger.attempted.get(key) !== kv.value.toString()) phantoms.push(`${key}=${kv.value.toString()}`);
      else if (!ledger.acked.has(key)) unackedPresent++;
    }
    // A key written many times holds its last acknowledged value or a later one that was in flight.
    const counters: string[] = [];
    for (const [w, acked] of ledger.counterAcked) {
      const kv = found.get(counterKey(w));
      const n = kv ? Number(kv.value.toString()) : 0;
      if (!(n >= acked && n <= ledger.counterSent.get(w)!)) counters.push(`writer ${w}: counter ${n}, acknowledged ${acked}, sent ${ledger.counterSent.get(w)}`);
    }

    expect(missing.slice(0, 10), `${missing.length} acknowledged writes missing after the restart`).toEqual([]);
    expect(wrong.slice(0, 10), `${wrong.length} acknowledged writes with a wrong value or revision`).toEqual([]);
    expect(phantoms.slice(0, 10), 'keys with values never written').toEqual([]);
    expect(counters, 'counter keys').toEqual([]);
    expect(revision, 'the recovered revision').toBeGreaterThanOrEqual(ledger.maxAckedRevision);
    return { revision, unackedPresent, keys: found.size };
  } finally {
    client.close();
  }
}

describe('store durability under kill -9', () => {
  it(`keeps every acknowledged write through ${CYCLES} crash and restart cycles on one data dir`, { timeout: 60_000 }, async () => {
    const dataDir = tempDir('crash');
    const ledger = new Ledger();
    let server = await startKubelabStore({ dataDir });
    let floorRevision = 0;
    let passed = false;
    try {
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        const run = await writeUntilKilled(server, ledger, cycle, floorRevision);
        expect(run.ackedThisCycle).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
        // The kill must land with writes in flight, or the test would prove nothing about them.
        expect(run.inFlightAtKill, 'writes in flight when the kill was sent').toBeGreaterThan(0);
        // A restarted store never hands out a revision it had already acknowledged.
        expect(run.revisionsBelowFloor, 'revisions at or below the recovered one').toEqual([]);

        server = await startKubelabStore({ dataDir });
        const recovered = await verify(server, ledger);
        floorRevision = recovered.revision;
        console.log(
          `cycle ${cycle + 1}: ${run.ackedThisCycle} acknowledged, ${run.inFlightAtKill} in flight at the kill; ` +
            `recovered revision ${recovered.revision} (highest acknowledged ${ledger.maxAckedRevision}), ${recovered.keys} keys, ` +
            `${recovered.unackedPresent} unacknowledged writes present`,
        );
      }
      // Recovery itself must be durable: a kill right after a restart, with no writes, loses nothing either.
      await server.stop('SIGKILL');
      server = await startKubelabStore({ dataDir });
      const again = await verify(server, ledger);
      expect(again.revision).toBe(floorRevision);
      passed = true;
    } finally {
      await server.stop();
      if (passed) fs.rmSync(dataDir, { recursive: true, force: true });
      else console.log(`data dir kept for inspection: ${dataDir}\n${server.log().slice(-4000)}`);
    }
  });
});
