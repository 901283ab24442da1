import { FakeClock, type KubeObject } from '@kubelab/client';
import { createLogger } from '@kubelab/component-base';
import { describe, expect, it } from 'vitest';
import { probeTiming, type Probe } from './probe-spec';
import { ResultsCache, type ResultUpdate } from './results-cache';
import type { ProbeResult, ProbeType } from './types';
import { ProbeWorker, type ContainerKey } from './worker';

const pod: KubeObject = { metadata: { name: 'web-1', namespace: 'default', uid: 'uid-1' }, spec: { containers: [{ name: 'web' }] } };

/**
 * A worker driven by a FakeClock, with a prober that answers from a script (undefined: the
 * attempt errored). Records when each attempt ran and every result the worker wrote.
 */
function setup(type: ProbeType, probe: Probe, script: Array<ProbeResult | undefined>, options: { started?: () => boolean; prober?: { probe: () => Promise<ProbeResult | undefined> } } = {}) {
  const clock = new FakeClock(1_000_000);
  const attempts: number[] = [];
  const results = new ResultsCache<ContainerKey>();
  const updates: Array<ResultUpdate<ContainerKey> & { at: number }> = [];
  results.onUpdate((u) => updates.push({ ...u, at: clock.now() - 1_000_000 }));
  const prober = options.prober ?? {
    probe: async () => {
      attempts.push(clock.now() - 1_000_000);
      return script.length ? script.shift() : 'Success';
    },
  };
  const worker = new ProbeWorker({
    type,
    target: { pod, container: { name: 'web' }, fieldPath: 'spec.containers{web}', containerId: 'kubelab://1', podIP: '127.244.1.5', probe, timeoutSeconds: 1 },
    timing: probeTiming(probe),
    startedAt: clock.now(),
    prober,
    results,
    clock,
    started: options.started ?? (() => true),
    log: createLogger('test', 'silent'),
  });
  worker.start();
  return { clock, attempts, results, updates, worker, result: () => results.get('kubelab://1') };
}

const S = 'Success' as const;
const F = 'Failure' as const;

describe('probe worker', () => {
  it('waits initialDelaySeconds, probes every periodSeconds, and turns Success only after successThreshold successes', async () => {
    const { clock, attempts, updates, result } = setup('Readiness', { exec: { command: ['true'] }, initialDelaySeconds: 5, periodSeconds: 5, successThreshold: 2 }, [S, S, F, F, F]);
    await clock.advance(4_999);
    expect(attempts).toEqual([]);
    expect(result()).toBeUndefined();
    await clock.advance(1);
    expect(attempts).toEqual([5_000]);
    expect(result()).toBeUndefined();
    await clock.advance(5_000);
    expect(result()).toBe('Success');
    await clock.advance(10_000);
    expect(result()).toBe('Success');
    await clock.advance(5_000);
    expect(attempts).toEqual([5_000, 10_000, 15_000, 20_000, 25_000]);
    expect(result()).toBe('Failure');
    expect(updates.map((u) => [u.result, u.at])).toEqual([['Success', 10_000], ['Failure', 25_000]]);
    expect(updates[0]!.meta).toEqual({ podUid: 'uid-1', containerName: 'web' });
  });

  it('liveness: Failure after 3 consecutive failures (the defaults), then holds: no more attempts', async () => {
    const { clock, attempts, result, updates } = setup('Liveness', { httpGet: { port: 8080 } }, [F, F, F, S, S]);
    expect(result()).toBe('Success'); // liveness starts as Success, unannounced
    await clock.advance(0);
    expect(attempts).toEqual([0]);
    await clock.advance(20_000);
    expect(attempts).toEqual([0, 10_000, 20_000]);
    expect(result()).toBe('Failure');
    expect(updates).toHaveLength(1);
    await clock.advance(60_000);
    expect(attempts).toHaveLength(3);
    expect(clock.pendingTimers).toBe(0);
  });

  it('a success between failures starts the count again', async () => {
    const { clock, result } = setup('Liveness', { periodSeconds: 1 }, [F, F, S, F, F, S]);
    await clock.advance(10_000);
    expect(result()).toBe('Success');
  });

  it('an errored attempt does not count, either way', async () => {
    const { clock, attempts, result } = setup('Liveness', { periodSeconds: 1 }, [F, undefined, F, undefined, F]);
    await clock.advance(3_000);
    expect(attempts).toHaveLength(4);
    expect(result()).toBe('Success'); // still liveness' initial result
    await clock.advance(1_000);
    expect(result()).toBe('Failure');
  });

  it('startup: stops probing once it succeeded', async () => {
    let started = false;
    const s = setup('Startup', { periodSeconds: 1, failureThreshold: 30 }, [F, F, S], { started: () => started });
    s.results.onUpdate((u) => (started = u.result === 'Success'));
    await s.clock.advance(10_000);
    expect(s.attempts).toEqual([0, 1_000, 2_000]);
    expect(s.result()).toBe('Success');
    expect(s.clock.pendingTimers).toBe(0);
  });

  it('liveness and readiness do not probe before the container has started', async () => {
    let started = false;
    const s = setup('Readiness', { periodSeconds: 2 }, [S], { started: () => started });
    await s.clock.advance(10_000);
    expect(s.attempts).toEqual([]);
    started = true;
    await s.clock.advance(2_000);
    expect(s.attempts).toEqual([12_000]);
    expect(s.result()).toBe('Success');
  });

  it('a manual trigger probes at once; a tick that finds an attempt under way waits for it', async () => {
    let release: (r: ProbeResult) => void = () => {};
    let calls = 0;
    const prober = { probe: () => new Promise<ProbeResult>((resolve) => ((release = resolve), calls++)) };
    const s = setup('Readiness', { periodSeconds: 1 }, [], { prober });
    await s.clock.advance(0);
    expect(calls).toBe(1);
    await s.clock.advance(3_000); // three ticks while the first attempt hangs
    expect(calls).toBe(1);
    release(S);
    await s.clock.advance(0);
    expect(calls).toBe(2); // one attempt for the ticks that waited
    release(S);
    await s.clock.advance(0);
    expect(calls).toBe(2);
    s.worker.trigger();
    await s.clock.advance(0);
    expect(calls).toBe(3);
    release(S);
    await s.clock.advance(0);
  });

  it('an attempt that ends after stop() is thrown away', async () => {
    let release: (r: ProbeResult) => void = () => {};
    const prober = { probe: () => new Promise<ProbeResult>((resolve) => (release = resolve)) };
    const s = setup('Readiness', { periodSeconds: 1 }, [], { prober });
    await s.clock.advance(0);
    s.worker.stop();
    release(S);
    await s.clock.advance(5_000);
    expect(s.result()).toBeUndefined();
    expect(s.clock.pendingTimers).toBe(0);
  });
});
