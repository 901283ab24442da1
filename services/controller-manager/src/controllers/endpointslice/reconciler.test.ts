import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@kubelab/client';
import { serviceFixture } from '../../controller/testing-objects';
import { endpointKey, portMapKey, type Endpoint, type EndpointPort } from './endpoint';
import { newEndpointSlice, type EndpointSlice } from './endpoint-slice';
import { planSlices, type DesiredGroup } from './reconciler';

const service = serviceFixture('web', { labels: { app: 'web' } });
const HTTP: EndpointPort[] = [{ name: '', protocol: 'TCP', port: 8080 }];
const ALT: EndpointPort[] = [{ name: '', protocol: 'TCP', port: 9090 }];

/** Endpoint n: pod web-n at 10.0.x.y. */
function ep(n: number, ready = true): Endpoint {
  return {
    addresses: [`10.0.${Math.floor(n / 250)}.${n % 250}`],
    conditions: { ready, serving: ready, terminating: false },
    targetRef: { kind: 'Pod', namespace: 'default', name: `web-${n}`, uid: `uid-web-${n}` },
    nodeName: 'node-1',
  };
}
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

function desired(groups: Array<{ ports: EndpointPort[]; endpoints: Endpoint[] }>): Map<string, DesiredGroup> {
  return new Map(groups.map((g) => [portMapKey(g.ports), { ports: g.ports, endpoints: new Map(g.endpoints.map((e) => [endpointKey(e), e])) }]));
}

/** An existing slice of the Service, as the informer would hold it. */
function slice(name: string, endpoints: Endpoint[], ports = HTTP, owner: KubeObject = service): EndpointSlice {
  const s = newEndpointSlice(owner, ports, 'IPv4');
  return { ...s, metadata: { ...s.metadata, name, resourceVersion: '7' }, endpoints };
}

/** A plan in a form to compare: names (or "new"), and endpoint pod names per slice. */
function summary(plan: ReturnType<typeof planSlices>) {
  const show = (s: EndpointSlice) => `${s.metadata.name ?? 'new'}:${s.ports.map((p) => p.port).join(',') || '-'}:${s.endpoints.map((e) => e.targetRef!.name.replace('web-', '')).join(',')}`;
  return { create: plan.create.map(show), update: plan.update.map(show).sort(), delete: plan.delete.map((s) => s.metadata.name).sort() };
}

describe('planSlices', () => {
  it.each([
    {
      name: 'a new Service: one slice with every endpoint',
      existing: [],
      want: desired([{ ports: HTTP, endpoints: [ep(1), ep(2), ep(3)] }]),
      plan: { create: ['new:8080:1,2,3'], update: [], delete: [] },
    },
    {
      name: 'no endpoints at all: one empty placeholder slice',
      existing: [],
      want: desired([]),
      plan: { create: ['new:-:'], update: [], delete: [] },
    },
    {
      name: 'the placeholder is kept while there is still nothing',
      existing: [slice('web-p', [], [])],
      want: desired([]),
      plan: { create: [], update: [], delete: [] },
    },
    {
      name: 'the first endpoints reuse the placeholder (rewritten, not deleted and created)',
      existing: [slice('web-p', [], [])],
      want: desired([{ ports: HTTP, endpoints: [ep(1)] }]),
      plan: { create: [], update: ['web-p:8080:1'], delete: [] },
    },
    {
      name: 'the last endpoint gone: the slice becomes the placeholder',
      existing: [slice('web-a', [ep(1)])],
      want: desired([]),
      plan: { create: [], update: ['web-a:-:'], delete: [] },
    },
    {
      name: 'nothing changed: nothing written',
      existing: [slice('web-a', [ep(1), ep(2)])],
      want: desired([{ ports: HTTP, endpoints: [ep(2), ep(1)] }]),
      plan: { create: [], update: [], delete: [] },
    },
    {
      name: 'a changed endpoint is updated in place, a gone one removed, a new one added to the same slice',
      existing: [slice('web-a', [ep(1), ep(2)])],
      want: desired([{ ports: HTTP, endpoints: [ep(1, false), ep(3)] }]),
      plan: { create: [], update: ['web-a:8080:1,3'], delete: [] },
    },
    {
      name: 'at most 100 endpoints a slice',
      existing: [],
      want: desired([{ ports: HTTP, endpoints: range(0, 250).map((n) => ep(n)) }]),
      plan: { create: [`new:8080:${range(0, 100).join(',')}`, `new:8080:${range(100, 200).join(',')}`, `new:8080:${range(200, 250).join(',')}`], update: [], delete: [] },
    },
    {
      name: 'a new endpoint goes into the unchanged slice it fills best',
      existing: [slice('web-a', range(0, 60).map((n) => ep(n))), slice('web-b', range(60, 90).map((n) => ep(n)))],
      want: desired([{ ports: HTTP, endpoints: range(0, 91).map((n) => ep(n)) }]),
      plan: { create: [], update: [`web-a:8080:${range(0, 60).join(',')},90`], delete: [] },
    },
    {
      name: 'a full slice is not overfilled: the newcomer gets a new slice',
      existing: [slice('web-a', range(0, 100).map((n) => ep(n)))],
      want: desired([{ ports: HTTP, endpoints: range(0, 101).map((n) => ep(n)) }]),
      plan: { create: ['new:8080:100'], update: [], delete: [] },
    },
    {
      name: 'endpoints with other ports (a renumbered named port) get slices of their own',
      existing: [slice('web-a', [ep(1), ep(2)])],
      want: desired([
        { ports: HTTP, endpoints: [ep(1)] },
        { ports: ALT, endpoints: [ep(2)] },
      ]),
      plan: { create: ['new:9090:2'], update: ['web-a:8080:1'], delete: [] },
    },
    {
      name: 'new ports for every endpoint: the old slice is rewritten with them',
      existing: [slice('web-a', [ep(1), ep(2)])],
      want: desired([{ ports: ALT, endpoints: [ep(1), ep(2)] }]),
      plan: { create: [], update: ['web-a:9090:1,2'], delete: [] },
    },
    {
      name: 'a slice of an older Service of the same name is deleted, not reused',
      existing: [slice('web-old', [ep(1)], HTTP, { ...service, metadata: { ...service.metadata, uid: 'uid-old' } })],
      want: desired([{ ports: HTTP, endpoints: [ep(1)] }]),
      plan: { create: ['new:8080:1'], update: [], delete: ['web-old'] },
    },
  ])('$name', ({ existing, want, plan }) => {
    expect(summary(planSlices(service, existing, want, 'IPv4'))).toEqual(plan);
  });

  it('copies the Service labels onto its slices and rewrites them when they change', () => {
    const relabelled = serviceFixture('web', { labels: { app: 'web', tier: 'front' } });
    const [updated] = planSlices(relabelled, [slice('web-a', [ep(1)])], desired([{ ports: HTTP, endpoints: [ep(1)] }]), 'IPv4').update;
    expect(updated!.metadata.labels).toEqual({
      app: 'web',
      tier: 'front',
      'kubernetes.io/service-name': 'web',
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    });
    expect(updated!.metadata.resourceVersion).toBe('7');
  });

  it('makes new slices named after the Service, owned by it', () => {
    const [created] = planSlices(service, [], desired([{ ports: HTTP, endpoints: [ep(1)] }]), 'IPv4').create;
    expect(created).toEqual({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        generateName: 'web-',
        namespace: 'default',
        labels: { app: 'web', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'uid-svc-web', controller: true, blockOwnerDeletion: true }],
      },
      addressType: 'IPv4',
      endpoints: [ep(1)],
      ports: HTTP,
    });
  });
});
