import type { KubeObject } from '@kubelab/client';
import type { Taint } from '@kubelab/component-helpers';
import { describe, expect, it } from 'vitest';
import { managedNoScheduleTaints, noScheduleTaintsFor, taintSetDiff } from './node-taints';

const node = (conditions: Record<string, string>, spec: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name: 'worker-1' },
  spec,
  status: { conditions: Object.entries(conditions).map(([type, status]) => ({ type, status })) },
});
const keys = (taints: Taint[]) => taints.map((t) => `${t.key}:${t.effect}`);

describe('noScheduleTaintsFor (TaintNodesByCondition)', () => {
  it.each<[string, Record<string, string>, Record<string, unknown>, string[]]>([
    ['Ready', { Ready: 'True', MemoryPressure: 'False', DiskPressure: 'False', PIDPressure: 'False' }, {}, []],
    ['Ready=False', { Ready: 'False' }, {}, ['node.kubernetes.io/not-ready:NoSchedule']],
    ['Ready=Unknown', { Ready: 'Unknown' }, {}, ['node.kubernetes.io/unreachable:NoSchedule']],
    ['memory pressure', { Ready: 'True', MemoryPressure: 'True' }, {}, ['node.kubernetes.io/memory-pressure:NoSchedule']],
    ['disk pressure', { DiskPressure: 'True' }, {}, ['node.kubernetes.io/disk-pressure:NoSchedule']],
    ['PID pressure', { PIDPressure: 'True' }, {}, ['node.kubernetes.io/pid-pressure:NoSchedule']],
    ['network unavailable', { NetworkUnavailable: 'True' }, {}, ['node.kubernetes.io/network-unavailable:NoSchedule']],
    ['pressure Unknown is no pressure', { MemoryPressure: 'Unknown' }, {}, []],
    ['cordoned', { Ready: 'True' }, { unschedulable: true }, ['node.kubernetes.io/unschedulable:NoSchedule']],
  ])('%s', (_name, conditions, spec, expected) => {
    expect(keys(noScheduleTaintsFor(node(conditions, spec)))).toEqual(expected);
  });

  it('manages only its own NoSchedule taints, never a user taint or a NoExecute one', () => {
    const taints: Taint[] = [
      { key: 'disktype', value: 'ssd', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
    ];
    expect(keys(managedNoScheduleTaints(node({}, { taints })))).toEqual(['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule']);
  });

  it('diffs by key and effect, ignoring timeAdded', () => {
    const current: Taint[] = [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: '2026-01-01T00:00:00Z' }];
    const desired: Taint[] = [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' }];
    const { toAdd, toRemove } = taintSetDiff(desired, current);
    expect([keys(toAdd), keys(toRemove)]).toEqual([['node.kubernetes.io/memory-pressure:NoSchedule'], []]);
  });
});
