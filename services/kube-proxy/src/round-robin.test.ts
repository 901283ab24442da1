import { FakeClock } from '@kubelab/client';
import { describe, expect, it } from 'vitest';
import type { Endpoint } from './endpoint';
import { LoadBalancerRR } from './round-robin';

const endpoint = (ip: string): Endpoint => ({ key: `${ip}:80`, ip, port: 80, nodeName: undefined, ready: true, serving: true, terminating: false });
const [a, b, c] = [endpoint('10.0.0.1'), endpoint('10.0.0.2'), endpoint('10.0.0.3')];

describe('LoadBalancerRR', () => {
  it('takes the endpoints in turn, and skips the excluded ones', () => {
    const lb = new LoadBalancerRR(new FakeClock());
    const picks = Array.from({ length: 6 }, () => lb.nextEndpoint('ns/svc', [a, b, c], undefined, undefined)?.ip);
    expect(picks).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.1', '10.0.0.2', '10.0.0.3']);
    expect(lb.nextEndpoint('ns/svc', [a, b], undefined, undefined, new Set([a.key, b.key]))).toBeUndefined();
    expect(lb.nextEndpoint('ns/svc', [], undefined, undefined)).toBeUndefined();
  });

  it('keeps a client on its endpoint until it has been idle for the affinity timeout', () => {
    const clock = new FakeClock(1_000_000);
    const lb = new LoadBalancerRR(clock);
    const first = lb.nextEndpoint('ns/svc', [a, b], '10.1.0.1', 10)!;
    const other = lb.nextEndpoint('ns/svc', [a, b], '10.1.0.2', 10)!;
    expect(other.key).not.toBe(first.key);
    for (let i = 0; i < 5; i++) {
      clock.step(9_000);
      expect(lb.nextEndpoint('ns/svc', [a, b], '10.1.0.1', 10)!.key).toBe(first.key);
    }
    // Its endpoint refused: the client moves on, and stays with the new one.
    const moved = lb.nextEndpoint('ns/svc', [a, b], '10.1.0.1', 10, new Set([first.key]))!;
    expect(moved.key).not.toBe(first.key);
    expect(lb.nextEndpoint('ns/svc', [a, b], '10.1.0.1', 10)!.key).toBe(moved.key);
    // Idle past the timeout: no longer sticky, a fresh round-robin pick (the cursor says `a` after an anonymous pick of `b`).
    clock.step(10_001);
    expect(lb.nextEndpoint('ns/svc', [a, b], undefined, undefined)!.key).toBe(b.key);
    expect(lb.nextEndpoint('ns/svc', [a, b], '10.1.0.1', 10)!.key).toBe(a.key);
    expect(moved.key).toBe(b.key);
  });

  it('forgets the state of Service ports that are gone', () => {
    const lb = new LoadBalancerRR(new FakeClock());
    lb.nextEndpoint('ns/svc', [a, b], undefined, undefined);
    lb.retain(new Set());
    expect(lb.nextEndpoint('ns/svc', [a, b], undefined, undefined)?.key).toBe(a.key);
  });
});
