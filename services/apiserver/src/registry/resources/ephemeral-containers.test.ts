import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../types';
import { withEphemeralContainers } from './ephemeral-containers';

const running = (ephemeralContainers?: unknown[], annotations?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default', resourceVersion: '7', ...(annotations ? { annotations } : {}) },
  spec: { containers: [{ name: 'web', image: 'nginx' }], ...(ephemeralContainers ? { ephemeralContainers } : {}) },
  status: { phase: 'Running' },
});
const proposing = (ephemeralContainers: unknown[], extra: Record<string, unknown> = {}): KubeObject => ({ ...running(ephemeralContainers), spec: { containers: [{ name: 'web', image: 'nginx' }], ephemeralContainers, ...extra }, status: { phase: 'Failed' } });
const errorsOf = (proposed: KubeObject, current: KubeObject) => withEphemeralContainers(proposed, current).errors.map((e) => e.toString());

describe('pods/ephemeralcontainers', () => {
  it('takes only spec.ephemeralContainers (defaulted as containers are) from the proposal, and its resourceVersion', () => {
    const { pod, errors } = withEphemeralContainers(proposing([{ name: 'debugger', image: 'busybox', stdin: true }], { restartPolicy: 'Never' }), running());
    expect(errors).toEqual([]);
    expect(pod.spec?.restartPolicy).toBeUndefined();
    expect(pod.status).toEqual({ phase: 'Running' });
    expect(pod.metadata.resourceVersion).toBe('7');
    expect(pod.spec?.ephemeralContainers).toEqual([
      { name: 'debugger', image: 'busybox', stdin: true, imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', resources: {} },
    ]);
  });

  it('refuses what an ephemeral container may not have, a name taken, and a target that does not exist, in Kubernetes\' words', () => {
    const bad = { name: 'web', image: 'busybox', targetContainerName: 'nope', ports: [{ containerPort: 80 }], readinessProbe: { tcpSocket: { port: 80 } }, lifecycle: { preStop: { sleep: { seconds: 1 } } }, volumeMounts: [{ name: 'v', mountPath: '/v', subPath: 'x' }] };
    expect(errorsOf(proposing([bad, { name: 'Bad_Name' }]), running())).toEqual([
      'spec.ephemeralContainers[0].name: Duplicate value: "web"',
      'spec.ephemeralContainers[0].targetContainerName: Not found: "nope"',
      'spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container',
      'spec.ephemeralContainers[0].readinessProbe: Forbidden: cannot be set for an Ephemeral Container',
      'spec.ephemeralContainers[0].lifecycle: Forbidden: cannot be set for an Ephemeral Container',
      'spec.ephemeralContainers[0].volumeMounts[0].subPath: Forbidden: cannot be set for an Ephemeral Container',
      expect.stringMatching(/^spec\.ephemeralContainers\[1\]\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 label must consist of/),
      'spec.ephemeralContainers[1].image: Required value',
    ]);
  });

  it('an ephemeral container once added may be neither changed nor removed; static pods take none', () => {
    const added = { name: 'debugger', image: 'busybox', imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', resources: {} };
    expect(errorsOf(proposing([]), running([added]))).toEqual(['spec.ephemeralContainers: Forbidden: existing ephemeral containers "debugger" may not be removed\n']);
    expect(errorsOf(proposing([{ ...added, command: ['true'] }]), running([added]))).toEqual(['spec.ephemeralContainers: Forbidden: existing ephemeral containers "debugger" may not be changed\n']);
    expect(errorsOf(proposing([{ ...added }, { name: 'second', image: 'busybox' }]), running([added]))).toEqual([]);
    expect(errorsOf(proposing([{ name: 'debugger', image: 'busybox' }]), running(undefined, { 'kubernetes.io/config.mirror': 'abc' }))).toEqual(['[]: Forbidden: static pods do not support ephemeral containers']);
  });
});
