import { metaTime } from '@kubelab/client';
import type { KubeObject } from '@kubelab/client';
import { describe, expect, it } from 'vitest';
import { checkNodeHealth, type NodeCondition, type NodeHealthData } from './node-health';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const GRACE = { nodeMonitorGracePeriodMs: 50_000, nodeStartupGracePeriodMs: 60_000 };

const condition = (type: string, status: string, heartbeatMs = T0, transitionMs = T0 - 3_600_000): NodeCondition => ({
  type,
  status,
  lastHeartbeatTime: metaTime(heartbeatMs),
  lastTransitionTime: metaTime(transitionMs),
  reason: 'KubeletReady',
  message: 'kubelet is posting ready status',
});
const node = (conditions: NodeCondition[]): KubeObject => ({ metadata: { name: 'worker-1', creationTimestamp: metaTime(T0 - 3_600_000) }, status: { conditions } });
const lease = (renewMs: number): KubeObject => ({ metadata: { name: 'worker-1', namespace: 'kube-node-lease' }, spec: { renewTime: new Date(renewMs).toISOString() } });
/** What the controller remembered after seeing `n` at `seenAt`. */
const seen = (n: KubeObject, seenAt: number, leaseRenewMs?: number): NodeHealthData => ({
  status: structuredClone(n.status!),
  probeTimestamp: seenAt,
  readyTransitionTimestamp: seenAt,
  ...(leaseRenewMs !== undefined ? { leaseRenewTime: new Date(leaseRenewMs).toISOString() } : {}),
});

const readyNode = node([condition('Ready', 'True'), condition('MemoryPressure', 'False'), condition('DiskPressure', 'False')]);
const statuses = (conditions: NodeCondition[] | undefined) => (conditions ?? []).map((c) => `${c.type}=${c.status}${c.reason ? ` ${c.reason}` : ''}`);

describe('checkNodeHealth', () => {
  it.each<[string, { node: KubeObject; saved?: NodeHealthData; lease?: KubeObject; at: number }, string[] | undefined]>([
    ['first sight of a node: heard from now', { node: readyNode, at: T0 + 500_000 }, undefined],
    ['silent for exactly the grace period: still Ready', { node: readyNode, saved: seen(readyNode, T0), at: T0 + 50_000 }, undefined],
    [
      'silent for a moment longer: Ready and the pressure conditions Unknown, the missing one added',
      { node: readyNode, saved: seen(readyNode, T0), at: T0 + 50_001 },
      ['Ready=Unknown NodeStatusUnknown', 'MemoryPressure=Unknown NodeStatusUnknown', 'DiskPressure=Unknown NodeStatusUnknown', 'PIDPressure=Unknown NodeStatusNeverUpdated'],
    ],
    [
      'a new heartbeat in the status: heard from now',
      { node: node([condition('Ready', 'True', T0 + 40_000)]), saved: seen(readyNode, T0), at: T0 + 60_000 },
      undefined,
    ],
    ['a renewed Lease: heard from now', { node: readyNode, saved: seen(readyNode, T0, T0), lease: lease(T0 + 40_000), at: T0 + 60_000 }, undefined],
    [
      'a Lease not renewed since last seen: no heartbeat',
      { node: readyNode, saved: seen(readyNode, T0, T0), lease: lease(T0), at: T0 + 60_000 },
      ['Ready=Unknown NodeStatusUnknown', 'MemoryPressure=Unknown NodeStatusUnknown', 'DiskPressure=Unknown NodeStatusUnknown', 'PIDPressure=Unknown NodeStatusNeverUpdated'],
    ],
    ['a node already Unknown: nothing to write', { node: node([condition('Ready', 'Unknown')]), saved: seen(node([condition('Ready', 'Unknown')]), T0), at: T0 + 500_000 }, undefined],
    ['a node that never posted status, within the startup grace period', { node: node([]), at: T0 - 3_600_000 + 60_000 }, undefined],
    [
      'a node that never posted status, past the startup grace period',
      { node: node([]), at: T0 - 3_600_000 + 60_001 },
      ['Ready=Unknown NodeStatusNeverUpdated', 'MemoryPressure=Unknown NodeStatusNeverUpdated', 'DiskPressure=Unknown NodeStatusNeverUpdated', 'PIDPressure=Unknown NodeStatusNeverUpdated'],
    ],
  ])('%s', (_name, { node: n, saved, lease: l, at }, written) => {
    const check = checkNodeHealth(n, saved, l, at, GRACE);
    expect(check.write && statuses(check.write.status.conditions)).toEqual(written);
  });

  it('says "Kubelet stopped posting node status." and stamps the transition now', () => {
    const at = T0 + 50_001;
    const check = checkNodeHealth(readyNode, seen(readyNode, T0), undefined, at, GRACE);
    expect(check.observedReady.status).toBe('True');
    expect(check.currentReady).toEqual({ ...condition('Ready', 'Unknown'), reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: metaTime(at) });
    // The heartbeat time is what the kubelet last posted; the controller does not move it.
    expect(check.currentReady!.lastHeartbeatTime).toBe(metaTime(T0));
    expect(check.write!.health).toMatchObject({ probeTimestamp: T0, readyTransitionTimestamp: at });
  });

  it('keeps the transition time while Ready keeps its status, and moves it when Ready changes', () => {
    const later = node([condition('Ready', 'True', T0 + 10_000)]);
    expect(checkNodeHealth(later, { ...seen(readyNode, T0), readyTransitionTimestamp: T0 - 7 }, undefined, T0 + 10_000, GRACE).health.readyTransitionTimestamp).toBe(T0 - 7);
    const changed = node([condition('Ready', 'False', T0 + 10_000, T0 + 10_000)]);
    expect(checkNodeHealth(changed, seen(readyNode, T0), undefined, T0 + 10_000, GRACE).health.readyTransitionTimestamp).toBe(T0 + 10_000);
  });
});
