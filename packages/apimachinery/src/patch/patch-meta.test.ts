import { describe, expect, it } from 'vitest';
import { fieldOf, itemsOf, PATCH_RULES, patchRuleFor, ruleAt, type FieldRule } from './patch-meta';

const byName: FieldRule = { strategy: 'merge', mergeKey: 'name' };

describe('PATCH_RULES', () => {
  it.each<[string, string, FieldRule | undefined]>([
    ['Pod', 'spec.containers', byName],
    ['Pod', 'spec.initContainers', byName],
    ['Pod', 'spec.ephemeralContainers', byName],
    ['Pod', 'spec.containers[].env', byName],
    ['Pod', 'spec.containers[].ports', { strategy: 'merge', mergeKey: 'containerPort' }],
    ['Pod', 'spec.containers[].volumeMounts', { strategy: 'merge', mergeKey: 'mountPath' }],
    ['Pod', 'spec.ephemeralContainers[].volumeDevices', { strategy: 'merge', mergeKey: 'devicePath' }],
    ['Pod', 'spec.volumes', { strategy: 'merge', mergeKey: 'name', retainKeys: true }],
    ['Pod', 'spec.imagePullSecrets', byName],
    ['Pod', 'spec.hostAliases', { strategy: 'merge', mergeKey: 'ip' }],
    ['Pod', 'spec.topologySpreadConstraints', { strategy: 'merge', mergeKey: 'topologyKey' }],
    ['Pod', 'status.conditions', { strategy: 'merge', mergeKey: 'type' }],
    ['Pod', 'status.podIPs', { strategy: 'merge', mergeKey: 'ip' }],
    ['Pod', 'metadata.finalizers', { strategy: 'merge' }],
    ['Pod', 'metadata.ownerReferences', { strategy: 'merge', mergeKey: 'uid' }],
    ['Pod', 'spec.tolerations', undefined],
    ['Pod', 'spec.containers[].envFrom', undefined],
    ['Pod', 'spec.containers[].args', undefined],
    ['Pod', 'status.containerStatuses', undefined],
    ['Pod', 'spec.template.spec.containers', undefined],
    ['Deployment', 'spec.template.spec.containers', byName],
    ['Deployment', 'spec.template.spec.containers[].env', byName],
    ['Deployment', 'spec.template.metadata.finalizers', { strategy: 'merge' }],
    ['Deployment', 'spec.strategy', { strategy: 'merge', retainKeys: true }],
    ['Deployment', 'status.conditions', { strategy: 'merge', mergeKey: 'type' }],
    ['StatefulSet', 'spec.template.spec.initContainers[].ports', { strategy: 'merge', mergeKey: 'containerPort' }],
    ['DaemonSet', 'spec.template.spec.volumes', { strategy: 'merge', mergeKey: 'name', retainKeys: true }],
    ['Job', 'spec.template.spec.containers', byName],
    ['CronJob', 'spec.jobTemplate.spec.template.spec.containers[].env', byName],
    ['ReplicationController', 'spec.template.spec.containers', byName],
    ['PodTemplate', 'template.spec.containers', byName],
    ['Service', 'spec.ports', { strategy: 'merge', mergeKey: 'port' }],
    ['Node', 'spec.taints', undefined],
    ['Node', 'spec.podCIDRs', { strategy: 'merge' }],
    ['Node', 'status.addresses', { strategy: 'merge', mergeKey: 'type' }],
    ['ServiceAccount', 'secrets', byName],
    ['ConfigMap', 'data', undefined],
    ['Widget', 'metadata.finalizers', undefined],
  ])('%s %s', (kind, path, expected) => {
    expect(patchRuleFor(kind, path)).toEqual(expected);
  });

  it('gives every kind the object metadata rules', () => {
    const missing = Object.keys(PATCH_RULES).filter((kind) => patchRuleFor(kind, 'metadata.ownerReferences')?.mergeKey !== 'uid');
    expect(missing).toEqual([]);
  });

  it('gives a merge key to exactly the merging lists of objects', () => {
    const plainLists = Object.entries(PATCH_RULES).flatMap(([kind, rules]) =>
      Object.entries(rules)
        .filter(([, rule]) => rule.strategy === 'merge' && rule.mergeKey === undefined && !rule.retainKeys)
        .map(([path]) => `${kind} ${path}`),
    );
    expect(new Set(plainLists.map((entry) => entry.split(' ')[1]))).toEqual(
      new Set([
        'metadata.finalizers',
        'spec.template.metadata.finalizers',
        'template.metadata.finalizers',
        'spec.jobTemplate.metadata.finalizers',
        'spec.jobTemplate.spec.template.metadata.finalizers',
        'spec.podCIDRs',
      ]),
    );
  });
});

describe('field locations', () => {
  it('builds paths with dots and [] for list items', () => {
    const containers = fieldOf(fieldOf({ kind: 'Pod', path: '' }, 'spec'), 'containers');
    expect(containers).toEqual({ kind: 'Pod', path: 'spec.containers' });
    expect(fieldOf(itemsOf(containers), 'env')).toEqual({ kind: 'Pod', path: 'spec.containers[].env' });
    expect(ruleAt(fieldOf(itemsOf(containers), 'env'))).toEqual(byName);
  });

  it('stops looking up rules below keys that hold dots or brackets', () => {
    const labels = fieldOf(fieldOf({ kind: 'Pod', path: '' }, 'metadata'), 'labels');
    const dotted = fieldOf(labels, 'app.kubernetes.io/name');
    expect(dotted).toEqual({ kind: 'Pod', path: null });
    expect(fieldOf(dotted, 'containers')).toEqual({ kind: 'Pod', path: null });
    expect(itemsOf(dotted)).toEqual({ kind: 'Pod', path: null });
    expect(ruleAt(fieldOf({ kind: 'Pod', path: '' }, 'spec.containers'))).toBeUndefined();
  });
});
