import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@kubelab/client';
import { runningPod, serviceFixture } from '../../controller/testing-objects';
import { endpointSubsets } from './subsets';
import type { EndpointSubset } from './types';

const ref = (name: string) => ({ kind: 'Pod', namespace: 'default', name, uid: `uid-${name}` });
const addr = (name: string, ip: string, nodeName = 'node-1') => ({ ip, nodeName, targetRef: ref(name) });
const READY = '2026-01-01T00:00:10Z';
const namedHttp = (containerPort: number) => [{ name: 'http', containerPort }];

/** Subsets in an order that does not depend on the hash sort, to compare sets of subsets. */
const bySubset = (subsets: EndpointSubset[]) => [...subsets].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

interface Case {
  name: string;
  service: KubeObject;
  pods: KubeObject[];
  want: EndpointSubset[];
}

const cases: Case[] = [
  {
    name: 'ready pods are addresses, sorted by IP, on the resolved numeric target port',
    service: serviceFixture('web', { selector: { app: 'web' } }),
    pods: [runningPod('web-b', { ip: '10.244.2.3', nodeName: 'node-2', readySince: READY }), runningPod('web-a', { ip: '10.244.1.5', readySince: READY })],
    want: [{ addresses: [addr('web-a', '10.244.1.5'), addr('web-b', '10.244.2.3', 'node-2')], ports: [{ port: 8080, protocol: 'TCP' }] }],
  },
  {
    name: 'a pod that is not ready is a not-ready address of the same subset',
    service: serviceFixture('web'),
    pods: [runningPod('web-a', { ip: '10.244.1.5', readySince: READY }), runningPod('web-b', { ip: '10.244.1.6' })],
    want: [{ addresses: [addr('web-a', '10.244.1.5')], notReadyAddresses: [addr('web-b', '10.244.1.6')], ports: [{ port: 8080, protocol: 'TCP' }] }],
  },
  {
    name: 'pods without an IP, finished, or being deleted are left out',
    service: serviceFixture('web'),
    pods: [
      runningPod('pending'),
      runningPod('done', { ip: '10.244.1.7', phase: 'Succeeded' }),
      runningPod('failed', { ip: '10.244.1.8', phase: 'Failed' }),
      runningPod('leaving', { ip: '10.244.1.9', readySince: READY, deleting: true }),
    ],
    want: [],
  },
  {
    name: 'publishNotReadyAddresses lists every pod with an IP as ready, terminating ones too',
    service: serviceFixture('web', { publishNotReadyAddresses: true }),
    pods: [runningPod('web-a', { ip: '10.244.1.5' }), runningPod('web-b', { ip: '10.244.1.6', deleting: true })],
    want: [{ addresses: [addr('web-a', '10.244.1.5'), addr('web-b', '10.244.1.6')], ports: [{ port: 8080, protocol: 'TCP' }] }],
  },
  {
    name: 'a named target port is looked up in each pod: different numbers, different subsets',
    service: serviceFixture('web', { ports: [{ name: 'web', port: 80, targetPort: 'http' }] }),
    pods: [
      runningPod('web-a', { ip: '10.244.1.5', readySince: READY, containerPorts: namedHttp(8080) }),
      runningPod('web-b', { ip: '10.244.1.6', readySince: READY, containerPorts: namedHttp(9090) }),
      runningPod('web-c', { ip: '10.244.1.7', readySince: READY, containerPorts: namedHttp(8080) }),
      runningPod('web-d', { ip: '10.244.1.8', readySince: READY, containerPorts: [{ name: 'metrics', containerPort: 9100 }] }),
    ],
    want: [
      { addresses: [addr('web-a', '10.244.1.5'), addr('web-c', '10.244.1.7')], ports: [{ name: 'web', port: 8080, protocol: 'TCP' }] },
      { addresses: [addr('web-b', '10.244.1.6')], ports: [{ name: 'web', port: 9090, protocol: 'TCP' }] },
    ],
  },
  {
    name: 'a named port must have the Service port protocol',
    service: serviceFixture('dns', { selector: { app: 'web' }, ports: [{ name: 'dns', port: 53, targetPort: 'dns', protocol: 'UDP' }] }),
    pods: [runningPod('web-a', { ip: '10.244.1.5', readySince: READY, containerPorts: [{ name: 'dns', containerPort: 5353, protocol: 'TCP' }] })],
    want: [],
  },
  {
    name: 'ports offered by the same addresses share a subset',
    service: serviceFixture('web', {
      ports: [
        { name: 'http', port: 80, targetPort: 8080 },
        { name: 'https', port: 443, targetPort: 8443 },
      ],
    }),
    pods: [runningPod('web-a', { ip: '10.244.1.5', readySince: READY })],
    want: [
      {
        addresses: [addr('web-a', '10.244.1.5')],
        ports: expect.arrayContaining([
          { name: 'http', port: 8080, protocol: 'TCP' },
          { name: 'https', port: 8443, protocol: 'TCP' },
        ]) as never,
      },
    ],
  },
  {
    name: 'a headless Service without ports lists the addresses alone',
    service: { ...serviceFixture('db', { clusterIP: 'None', selector: { app: 'web' } }), spec: { clusterIP: 'None', selector: { app: 'web' } } },
    pods: [runningPod('web-a', { ip: '10.244.1.5', readySince: READY })],
    want: [{ addresses: [addr('web-a', '10.244.1.5')] }],
  },
  {
    name: 'a pod naming the Service as its subdomain gets its hostname',
    service: serviceFixture('db', { selector: { app: 'web' } }),
    pods: [runningPod('db-0', { ip: '10.244.1.5', readySince: READY, hostname: 'db-0', subdomain: 'db' }), runningPod('x', { ip: '10.244.1.6', readySince: READY, hostname: 'x', subdomain: 'other' })],
    want: [{ addresses: [{ ...addr('db-0', '10.244.1.5'), hostname: 'db-0' }, addr('x', '10.244.1.6')], ports: [{ port: 8080, protocol: 'TCP' }] }],
  },
];

describe('endpointSubsets', () => {
  it.each(cases)('$name', ({ service, pods, want }) => {
    expect(bySubset(endpointSubsets(service, pods))).toEqual(bySubset(want));
  });

  it('gives the same subsets in the same order whatever the order of the pods', () => {
    const service = serviceFixture('web', { ports: [{ name: 'web', port: 80, targetPort: 'http' }] });
    const pods = [8080, 9090, 8080, 7070, 9090].map((port, i) => runningPod(`web-${i}`, { ip: `10.244.1.${10 - i}`, readySince: i % 2 ? READY : undefined, containerPorts: namedHttp(port) }));
    const first = endpointSubsets(service, pods);
    expect(first).toHaveLength(3);
    expect(endpointSubsets(service, [...pods].reverse())).toEqual(first);
    expect(endpointSubsets(service, [pods[2]!, pods[4]!, pods[0]!, pods[3]!, pods[1]!])).toEqual(first);
  });
});
