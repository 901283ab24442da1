import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@kubelab/client';
import { nodeFixture, runningPod, serviceFixture } from '../../controller/testing-objects';
import { endpointKey, endpointPorts, endpointsEqualBeyondHash, podToEndpoint, portMapKey } from './endpoint';

const READY = '2026-01-01T00:01:00Z';
const svc = serviceFixture('web');

describe('podToEndpoint', () => {
  it.each([
    { name: 'a ready pod is ready and serving', pod: runningPod('p', { ip: '10.0.0.1', readySince: READY }), service: svc, conditions: { ready: true, serving: true, terminating: false } },
    { name: 'a pod not ready is neither', pod: runningPod('p', { ip: '10.0.0.1' }), service: svc, conditions: { ready: false, serving: false, terminating: false } },
    {
      name: 'a ready pod being deleted still serves but is not ready',
      pod: runningPod('p', { ip: '10.0.0.1', readySince: READY, deleting: true }),
      service: svc,
      conditions: { ready: false, serving: true, terminating: true },
    },
    {
      name: 'publishNotReadyAddresses makes every endpoint ready',
      pod: runningPod('p', { ip: '10.0.0.1', deleting: true }),
      service: serviceFixture('web', { publishNotReadyAddresses: true }),
      conditions: { ready: true, serving: false, terminating: true },
    },
  ])('$name', ({ pod, service, conditions }) => {
    expect(podToEndpoint(pod, nodeFixture('node-1'), service, 'IPv4').conditions).toEqual(conditions);
  });

  it('says where the pod runs: node, zone of the node, and points at the pod', () => {
    const pod = runningPod('web-a', { ip: '10.0.0.1', nodeName: 'node-2', readySince: READY });
    expect(podToEndpoint(pod, nodeFixture('node-2', { labels: { 'topology.kubernetes.io/zone': 'zone-b' } }), svc, 'IPv4')).toEqual({
      addresses: ['10.0.0.1'],
      conditions: { ready: true, serving: true, terminating: false },
      targetRef: { kind: 'Pod', namespace: 'default', name: 'web-a', uid: 'uid-web-a' },
      nodeName: 'node-2',
      zone: 'zone-b',
    });
    expect(podToEndpoint(pod, nodeFixture('node-2'), svc, 'IPv4').zone).toBeUndefined();
  });

  it('takes the addresses of the slice family only', () => {
    const pod: KubeObject = { ...runningPod('p', { readySince: READY }), status: { phase: 'Running', podIP: '10.0.0.1', podIPs: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }] } };
    expect(podToEndpoint(pod, undefined, svc, 'IPv4').addresses).toEqual(['10.0.0.1']);
    expect(podToEndpoint(pod, undefined, svc, 'IPv6').addresses).toEqual(['fd00::1']);
  });
});

describe('endpointPorts', () => {
  it.each([
    { name: 'a numeric target port, unnamed', ports: [{ port: 80, targetPort: 8080 }], containerPorts: undefined, want: [{ name: '', protocol: 'TCP', port: 8080 }] },
    {
      name: 'a named target port resolved in the pod; one it lacks is left out',
      ports: [
        { name: 'http', port: 80, targetPort: 'http' },
        { name: 'admin', port: 81, targetPort: 'admin' },
      ],
      containerPorts: [{ name: 'http', containerPort: 8081 }],
      want: [{ name: 'http', protocol: 'TCP', port: 8081 }],
    },
  ])('$name', ({ ports, containerPorts, want }) => {
    expect(endpointPorts(serviceFixture('web', { ports }), runningPod('p', { ip: '10.0.0.1', containerPorts }))).toEqual(want);
  });

  it('keys port sets whatever their order', () => {
    const a = { name: 'a', protocol: 'TCP', port: 1 };
    const b = { name: 'b', protocol: 'TCP', port: 2 };
    expect(portMapKey([a, b])).toBe(portMapKey([b, a]));
    expect(portMapKey([a])).not.toBe(portMapKey([b]));
    expect(portMapKey([])).toBe(portMapKey(undefined));
  });
});

describe('endpoint identity', () => {
  it('is the addresses and the pod; conditions and node are what an update changes', () => {
    const before = podToEndpoint(runningPod('p', { ip: '10.0.0.1' }), undefined, svc, 'IPv4');
    const after = podToEndpoint(runningPod('p', { ip: '10.0.0.1', readySince: READY }), undefined, svc, 'IPv4');
    expect(endpointKey(before)).toBe(endpointKey(after));
    expect(endpointsEqualBeyondHash(before, after)).toBe(false);
    expect(endpointsEqualBeyondHash(after, structuredClone(after))).toBe(true);
    expect(endpointKey(podToEndpoint(runningPod('q', { ip: '10.0.0.1' }), undefined, svc, 'IPv4'))).not.toBe(endpointKey(before));
  });
});
