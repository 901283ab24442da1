import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock';
import { LeaderElector, type LeaderElectionConfig } from './leader-election';
import type { LeaderElectionRecord, ResourceLock } from './lease-lock';

/** One Lease in memory: every write bumps its version, and a write from a stale read fails (409). */
class MemoryLease {
  record: LeaderElectionRecord | undefined;
  version = 0;
  failing = false;
}

class MemoryLock implements ResourceLock {
  private readVersion = -1;
  constructor(
    private readonly lease: MemoryLease,
    readonly identity: string,
  ) {}
  async get() {
    if (this.lease.failing) throw new Error('apiserver unavailable');
    this.readVersion = this.lease.version;
    return this.lease.record ? { record: { ...this.lease.record }, raw: JSON.stringify(this.lease.record) } : undefined;
  }
  async create(record: LeaderElectionRecord) {
    if (this.lease.failing) throw new Error('apiserver unavailable');
    if (this.lease.record) throw new Error('409 AlreadyExists');
    this.lease.record = { ...record };
    this.readVersion = ++this.lease.version;
    return JSON.stringify(record);
  }
  async update(record: LeaderElectionRecord) {
    if (this.lease.failing) throw new Error('apiserver unavailable');
    if (this.readVersion !== this.lease.version) throw new Error('409 Conflict');
    this.lease.record = { ...record };
    this.readVersion = ++this.lease.version;
    return JSON.stringify(record);
  }
  describe() {
    return 'kube-system/test';
  }
}

/** A candidate with 1 s / 0.7 s / 0.2 s timings, no jitter, recording its callbacks. */
function candidate(lease: MemoryLease, clock: FakeClock, identity: string, extra: Partial<LeaderElectionConfig> = {}) {
  const log: string[] = [];
  const controller = new AbortController();
  const elector = new LeaderElector({
    lock: new MemoryLock(lease, identity),
    leaseDurationMs: 1000,
    renewDeadlineMs: 700,
    retryPeriodMs: 200,
    clock,
    random: () => 0,
    callbacks: {
      onStartedLeading: () => void log.push(`started ${clock.now()}`),
      onStoppedLeading: () => void log.push(`stopped ${clock.now()}`),
      onNewLeader: (id) => void log.push(`leader ${id}`),
    },
    ...extra,
  });
  const done = elector.run(controller.signal);
  return { elector, log, stop: () => controller.abort(), done };
}

describe('LeaderElector', () => {
  it('of two candidates exactly one leads, and the other sees who', async () => {
    const clock = new FakeClock(1_000_000);
    const lease = new MemoryLease();
    const a = candidate(lease, clock, 'a');
    const b = candidate(lease, clock, 'b');
    await clock.advance(1000);
    expect([a.elector.isLeader(), b.elector.isLeader()]).toEqual([true, false]);
    expect(a.log).toEqual(['leader a', 'started 1000000']);
    expect(b.log).toEqual(['leader a']);
    expect(lease.record).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 1, leaseTransitions: 0, acquireTime: 1_000_000 });
    expect(lease.record!.renewTime).toBeGreaterThan(1_000_000); // renewed every 200 ms
    await clock.advance(5000);
    expect(b.elector.isLeader()).toBe(false); // a keeps renewing, so b never takes over
    a.stop();
    b.stop();
    await Promise.all([a.done, b.done]);
  });

  it('when the leader stops without releasing, the other takes over once the lease has expired on its own clock', async () => {
    const clock = new FakeClock(0);
    const lease = new MemoryLease();
    const a = candidate(lease, clock, 'a');
    await clock.advance(100);
    const b = candidate(lease, clock, 'b');
    await clock.advance(1000);
    a.stop();
    await a.done;
    const stoppedAt = clock.now();
    expect(a.log.at(-1)).toBe(`stopped ${stoppedAt}`);
    await clock.advance(800);
    expect(b.elector.isLeader()).toBe(false); // the lease still runs
    await clock.advance(600);
    expect(b.elector.isLeader()).toBe(true);
    const took = Number(b.log.find((l) => l.startsWith('started'))!.split(' ')[1]);
    expect(took - stoppedAt).toBeGreaterThanOrEqual(1000 - 200);
    expect(took - stoppedAt).toBeLessThanOrEqual(1000 + 200);
    expect(lease.record).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    expect(b.log).toContain('leader b');
    b.stop();
    await b.done;
  });

  it('with releaseOnCancel the leader empties the Lease and the other takes over at its next try', async () => {
    const clock = new FakeClock(0);
    const lease = new MemoryLease();
    const a = candidate(lease, clock, 'a', { releaseOnCancel: true });
    await clock.advance(100);
    const b = candidate(lease, clock, 'b');
    await clock.advance(1000);
    a.stop();
    await a.done;
    expect(lease.record?.holderIdentity).toBe('');
    const stoppedAt = clock.now();
    await clock.advance(200);
    expect(b.elector.isLeader()).toBe(true);
    expect(clock.now() - stoppedAt).toBeLessThanOrEqual(200);
    b.stop();
    await b.done;
  });

  it('a leader that cannot renew steps down after renewDeadline, before anyone may take over', async () => {
    const clock = new FakeClock(0);
    const lease = new MemoryLease();
    const a = candidate(lease, clock, 'a');
    await clock.advance(100);
    expect(a.elector.isLeader()).toBe(true);
    const lastRenew = lease.record!.renewTime;
    lease.failing = true;
    await clock.advance(2000);
    await a.done;
    expect(a.elector.isLeader()).toBe(false);
    const stoppedAt = Number(a.log.at(-1)!.split(' ')[1]);
    expect(stoppedAt - lastRenew).toBeGreaterThanOrEqual(700);
    expect(stoppedAt - lastRenew).toBeLessThan(1000);
  });

  it('a stale write loses the race: two candidates reading a free Lease at once cannot both win', async () => {
    const clock = new FakeClock(0);
    const lease = new MemoryLease();
    lease.record = { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: 0, renewTime: 0, leaseTransitions: 3 };
    const a = candidate(lease, clock, 'a');
    const b = candidate(lease, clock, 'b');
    await clock.advance(3000);
    expect([a.elector.isLeader(), b.elector.isLeader()].filter(Boolean)).toHaveLength(1);
    expect(lease.record.leaseTransitions).toBe(4);
    a.stop();
    b.stop();
    await Promise.all([a.done, b.done]);
  });

  it('stopped while taking the Lease: the term it starts is over at once, and run returns', async () => {
    const clock = new FakeClock(0);
    const controller = new AbortController();
    const lock = new MemoryLock(new MemoryLease(), 'a');
    const create = lock.create.bind(lock);
    // SIGTERM arrives while the create is on its way to the apiserver.
    lock.create = async (record: LeaderElectionRecord) => {
      controller.abort();
      return create(record);
    };
    const terms: AbortSignal[] = [];
    const elector = new LeaderElector({ lock, leaseDurationMs: 1000, renewDeadlineMs: 700, retryPeriodMs: 200, clock, random: () => 0, callbacks: { onStartedLeading: (signal) => void terms.push(signal), onStoppedLeading() {} } });
    const done = elector.run(controller.signal);
    await clock.advance(1000);
    await done;
    expect(terms.every((signal) => signal.aborted)).toBe(true);
    expect(elector.isLeader()).toBe(false);
  }, 5_000);

  it('refuses timings that would let two lead at once', () => {
    const lock = new MemoryLock(new MemoryLease(), 'x');
    const callbacks = { onStartedLeading() {}, onStoppedLeading() {} };
    expect(() => new LeaderElector({ lock, callbacks, leaseDurationMs: 1000, renewDeadlineMs: 1000 })).toThrow(/leaseDuration must be greater than renewDeadline/);
    expect(() => new LeaderElector({ lock, callbacks, leaseDurationMs: 1000, renewDeadlineMs: 500, retryPeriodMs: 500 })).toThrow(/JitterFactor/);
    expect(() => new LeaderElector({ lock, callbacks })).not.toThrow(); // 15 s / 10 s / 2 s
  });
});
