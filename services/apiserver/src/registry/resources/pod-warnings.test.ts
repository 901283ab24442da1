import { describe, expect, it } from 'vitest';
import { podSpecWarnings, workloadWarnings } from './pod-warnings';
import type { KubeObject } from '../types';

describe('podSpecWarnings (GetWarningsForPod, GetWarningsForPodTemplate)', () => {
  it('a plain pod has none', () => {
    expect(podSpecWarnings({ spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }], resources: { requests: { memory: '64Mi' } } }] } }, '')).toEqual([]);
  });

  it('ports: duplicate, overlapping, dangerously ambiguous, hostIP without hostPort, across containers', () => {
    const spec = {
      containers: [
        { name: 'a', ports: [{ containerPort: 80 }, { containerPort: 80, hostPort: 8080 }, { containerPort: 53, protocol: 'UDP', hostPort: 53, hostIP: '10.0.0.1' }] },
        { name: 'b', ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP', hostPort: 53 }, { containerPort: 53, hostIP: '1.2.3.4' }] },
      ],
    };
    expect(podSpecWarnings({ spec }, '')).toEqual([
      'spec.containers[0].ports[1]: overlapping port definition with spec.containers[0].ports[0]',
      'spec.containers[1].ports[0]: duplicate port definition with spec.containers[0].ports[0]',
      'spec.containers[1].ports[0]: overlapping port definition with spec.containers[0].ports[1]',
      'spec.containers[1].ports[1]: dangerously ambiguous port definition with spec.containers[0].ports[2]',
      'spec.containers[1].ports[2]: hostIP set without hostPort: {Name: HostPort:0 ContainerPort:53 Protocol: HostIP:1.2.3.4}',
    ]);
  });

  it('pod-level mistakes, at a template path', () => {
    const template = {
      metadata: { annotations: { 'scheduler.alpha.kubernetes.io/critical-pod': '', 'container.apparmor.security.beta.kubernetes.io/c': 'runtime/default' } },
      spec: {
        affinity: {
          nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'failure-domain.beta.kubernetes.io/zone' }] }] } },
          podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname' } }] },
        },
        topologySpreadConstraints: [{ topologyKey: 'zone', maxSkew: 1 }],
        volumes: [{ name: 'v', gitRepo: { repository: 'x' } }, { name: 's', storageos: {} }],
        hostAliases: [{ ip: '10.0.0.1' }, { ip: '10.0.0.1' }],
        imagePullSecrets: [{ name: 'r' }, { name: 'r' }, { name: '' }],
        overhead: { memory: '0.5' },
        containers: [{ name: 'c', env: [{ name: 'X', value: '1' }, { name: 'X', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] }],
      },
    };
    expect(podSpecWarnings(template, 'spec.template.')).toEqual([
      'spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key: failure-domain.beta.kubernetes.io/zone is deprecated since v1.17; use "topology.kubernetes.io/zone" instead',
      'spec.template.spec.topologySpreadConstraints[0].labelSelector: a null labelSelector results in matching no pod',
      'spec.template.metadata.annotations[scheduler.alpha.kubernetes.io/critical-pod]: non-functional in v1.16+; use the "priorityClassName" field instead',
      'spec.template.spec.volumes[0].gitRepo: deprecated in v1.11',
      'spec.template.spec.volumes[1].storageOS: deprecated in v1.22, non-functional in v1.25+',
      'spec.template.spec.hostAliases[1].ip: duplicate ip "10.0.0.1"',
      'spec.template.spec.imagePullSecrets[1].name: duplicate name "r"',
      'spec.template.spec.imagePullSecrets[2].name: invalid empty name ""',
      'spec.template.spec.overhead[memory]: fractional byte value "500m" is invalid, must be an integer',
      'spec.template.metadata.annotations[container.apparmor.security.beta.kubernetes.io/c]: deprecated since v1.30; use the "appArmorProfile" field instead',
      'spec.template.spec.containers[0].env[1]: hides previous definition of "X", which may be dropped when using apply',
      'spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector: a null labelSelector results in matching no pod',
    ]);
  });

  it('a workload warns on create, and on an update only when its generation moves', () => {
    const deployment = (generation: number): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', generation }, spec: { template: { spec: { containers: [{ name: 'c', resources: { limits: { memory: '100m' } } }] } } } });
    const warning = ['spec.template.spec.containers[0].resources.limits[memory]: fractional byte value "100m" is invalid, must be an integer'];
    expect(workloadWarnings.onCreate(deployment(1))).toEqual(warning);
    expect(workloadWarnings.onUpdate(deployment(1), deployment(1))).toEqual([]);
    expect(workloadWarnings.onUpdate(deployment(2), deployment(1))).toEqual(warning);
  });
});
