import type { Taint, Toleration } from '@kubelab/component-helpers';
import { describe, expect, it } from 'vitest';
import { noExecuteTaints, tolerationTimeMs } from './toleration-time';

const unreachable: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };
const notReady: Taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' };
const disk: Taint = { key: 'disktype', value: 'ssd', effect: 'NoExecute' };
/** What admission adds to every pod (DefaultTolerationSeconds). */
const tolerate = (key: string, seconds?: number, extra: Partial<Toleration> = {}): Toleration => ({ key, operator: 'Exists', effect: 'NoExecute', ...(seconds !== undefined ? { tolerationSeconds: seconds } : {}), ...extra });

describe('tolerationTimeMs: how long a pod may stay', () => {
  it.each<[string, Taint[], Toleration[], number]>([
    ['no toleration: evicted now', [disk], [], 0],
    ['the default 300 s toleration of unreachable', [unreachable], [tolerate('node.kubernetes.io/unreachable', 300), tolerate('node.kubernetes.io/not-ready', 300)], 300_000],
    ['two taints: the shorter toleration wins', [unreachable, notReady], [tolerate('node.kubernetes.io/unreachable', 300), tolerate('node.kubernetes.io/not-ready', 60)], 60_000],
    ['tolerated without tolerationSeconds: forever', [disk], [tolerate('disktype')], -1],
    ['one taint forever, one for 30 s: 30 s', [disk, unreachable], [tolerate('disktype'), tolerate('node.kubernetes.io/unreachable', 30)], 30_000],
    ['one of two taints not tolerated: now', [disk, unreachable], [tolerate('node.kubernetes.io/unreachable', 300)], 0],
    ['tolerationSeconds 0: now', [disk], [tolerate('disktype', 0)], 0],
    ['negative tolerationSeconds: now', [disk], [tolerate('disktype', -5)], 0],
    ['a toleration for NoSchedule does not tolerate NoExecute', [disk], [tolerate('disktype', undefined, { effect: 'NoSchedule' })], 0],
    ['Equal with the taint value: forever', [disk], [{ key: 'disktype', operator: 'Equal', value: 'ssd', effect: 'NoExecute' }], -1],
    ['Equal with another value: now', [disk], [{ key: 'disktype', operator: 'Equal', value: 'hdd', effect: 'NoExecute' }], 0],
    ['Exists without a key tolerates everything', [disk, unreachable], [{ operator: 'Exists' }], -1],
    ['the first toleration that matches is the one used', [disk], [tolerate('disktype'), tolerate('disktype', 10)], -1],
  ])('%s', (_name, taints, tolerations, expected) => {
    expect(tolerationTimeMs(taints, tolerations)).toBe(expected);
  });

  it('only NoExecute taints evict', () => {
    expect(noExecuteTaints([disk, { key: 'a', effect: 'NoSchedule' }, { key: 'b', effect: 'PreferNoSchedule' }])).toEqual([disk]);
  });
});
