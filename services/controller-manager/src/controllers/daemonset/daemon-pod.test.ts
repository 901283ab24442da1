import { describe, expect, it } from 'vitest';
import { createPodTemplate, daemonPodTolerations } from './daemon-pod';
import { getTargetNodeName, replaceDaemonSetPodNodeNameNodeAffinity } from './node-affinity';
import type { PodSpec } from './types';

const DEFAULTS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

describe('daemonPodTolerations', () => {
  it.each<{ name: string; spec: PodSpec; want: unknown[] }>([
    { name: 'adds the six daemon tolerations', spec: {}, want: DEFAULTS },
    { name: 'a hostNetwork pod also tolerates network-unavailable', spec: { hostNetwork: true }, want: [...DEFAULTS, { key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' }] },
    { name: "keeps the pod's own tolerations first", spec: { tolerations: [{ key: 'gpu', operator: 'Exists' }] }, want: [{ key: 'gpu', operator: 'Exists' }, ...DEFAULTS] },
    {
      name: 'replaces a matching toleration in place, dropping its tolerationSeconds',
      spec: { tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }] },
      want: [DEFAULTS[1], DEFAULTS[0], ...DEFAULTS.slice(2)],
    },
    {
      name: 'a toleration differing in operator is another toleration',
      spec: { tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Equal', effect: 'NoExecute' }] },
      want: [{ key: 'node.kubernetes.io/not-ready', operator: 'Equal', effect: 'NoExecute' }, ...DEFAULTS],
    },
  ])('$name', ({ spec, want }) => {
    expect(daemonPodTolerations(spec)).toEqual(want);
  });
});

describe('createPodTemplate', () => {
  it('labels the revision hash and the template generation, and does not touch the DaemonSet', () => {
    const template = { metadata: { labels: { app: 'agent' } }, spec: { containers: [] } };
    const made = createPodTemplate(template, '3', 'abc123');
    expect(made.metadata?.labels).toEqual({ app: 'agent', 'pod-template-generation': '3', 'controller-revision-hash': 'abc123' });
    expect(made.spec?.tolerations).toHaveLength(6);
    expect(template).toEqual({ metadata: { labels: { app: 'agent' } }, spec: { containers: [] } });
  });

  it('has no generation label without a generation', () => {
    expect(createPodTemplate({ metadata: { labels: { app: 'agent' } } }, undefined, 'h').metadata?.labels).toEqual({ app: 'agent', 'controller-revision-hash': 'h' });
  });
});

describe('daemon pod node affinity', () => {
  it.each<{ name: string; affinity: PodSpec['affinity'] }>([
    { name: 'no affinity', affinity: undefined },
    { name: 'pod anti-affinity kept', affinity: { podAntiAffinity: { x: 1 } } },
    { name: 'required terms replaced, preferred kept', affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] }, preferredDuringSchedulingIgnoredDuringExecution: [] } } },
  ])('pins the pod to its node: $name', ({ affinity }) => {
    const replaced = replaceDaemonSetPodNodeNameNodeAffinity(affinity, 'worker-1');
    expect(replaced.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution).toEqual({ nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['worker-1'] }] }] });
    for (const [key, value] of Object.entries(affinity ?? {})) if (key !== 'nodeAffinity') expect(replaced[key]).toEqual(value);
    if (affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution) expect(replaced.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution).toEqual([]);
    expect(getTargetNodeName({ affinity: replaced })).toBe('worker-1');
  });

  it.each<{ name: string; spec: PodSpec; want: string | undefined }>([
    { name: 'a bound pod: its nodeName', spec: { nodeName: 'n2', affinity: replaceDaemonSetPodNodeNameNodeAffinity(undefined, 'n1') }, want: 'n2' },
    { name: 'no affinity', spec: {}, want: undefined },
    { name: 'two values', spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a', 'b'] }] }] } } } }, want: undefined },
  ])('target node: $name', ({ spec, want }) => {
    expect(getTargetNodeName(spec)).toBe(want);
  });
});
