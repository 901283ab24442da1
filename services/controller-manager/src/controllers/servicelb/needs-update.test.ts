import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@kubelab/client';
import { serviceFixture } from '../../controller/testing-objects';
import { LOAD_BALANCER_CLEANUP_FINALIZER, needsCleanup, needsUpdate, wantsLoadBalancer } from './needs-update';

const lb = serviceFixture('web', { type: 'LoadBalancer' });
const withSpec = (service: KubeObject, spec: Record<string, unknown>): KubeObject => ({ ...service, spec: { ...service.spec, ...spec } });

describe('needsUpdate', () => {
  it.each([
    { name: 'neither wants a load balancer', old: serviceFixture('web'), cur: withSpec(serviceFixture('web'), { sessionAffinity: 'ClientIP' }), want: { update: false } },
    { name: 'becomes a LoadBalancer', old: serviceFixture('web'), cur: lb, want: { update: true, event: { reason: 'Type', message: 'ClusterIP -> LoadBalancer' } } },
    { name: 'stops being one', old: lb, cur: withSpec(lb, { type: 'NodePort' }), want: { update: true, event: { reason: 'Type', message: 'LoadBalancer -> NodePort' } } },
    { name: 'asks for another address', old: lb, cur: withSpec(lb, { loadBalancerIP: '127.0.200.9' }), want: { update: true, event: { reason: 'LoadbalancerIP', message: ' -> 127.0.200.9' } } },
    { name: 'changes a port', old: lb, cur: withSpec(lb, { ports: [{ port: 81, targetPort: 8080, protocol: 'TCP' }] }), want: { update: true } },
    { name: 'changes its traffic policy', old: withSpec(lb, { externalTrafficPolicy: 'Cluster' }), cur: withSpec(lb, { externalTrafficPolicy: 'Local' }), want: { update: true, event: { reason: 'ExternalTrafficPolicy', message: 'Cluster -> Local' } } },
    { name: 'only its status changed', old: lb, cur: { ...lb, status: { loadBalancer: { ingress: [{ ip: '127.0.200.1' }] } } }, want: { update: false } },
    { name: 'only its finalizers changed', old: lb, cur: { ...lb, metadata: { ...lb.metadata, finalizers: [LOAD_BALANCER_CLEANUP_FINALIZER] } }, want: { update: false } },
  ])('$name', ({ old, cur, want }) => {
    expect(needsUpdate(old, cur)).toEqual(want);
  });
});

describe('wantsLoadBalancer and needsCleanup', () => {
  it('leaves a Service with a loadBalancerClass to its own implementation', () => {
    expect(wantsLoadBalancer(lb)).toBe(true);
    expect(wantsLoadBalancer(serviceFixture('web', { type: 'LoadBalancer', loadBalancerClass: 'example.com/lb' }))).toBe(false);
  });

  it.each([
    { name: 'no finalizer, nothing to clean', service: serviceFixture('web', { type: 'ClusterIP' }), want: false },
    { name: 'our finalizer on a LoadBalancer in use', service: serviceFixture('web', { type: 'LoadBalancer', finalizers: [LOAD_BALANCER_CLEANUP_FINALIZER] }), want: false },
    { name: 'our finalizer on a Service being deleted', service: serviceFixture('web', { type: 'LoadBalancer', finalizers: [LOAD_BALANCER_CLEANUP_FINALIZER], deleting: true }), want: true },
    { name: 'our finalizer on a Service that changed type', service: serviceFixture('web', { type: 'ClusterIP', finalizers: [LOAD_BALANCER_CLEANUP_FINALIZER] }), want: true },
  ])('$name', ({ service, want }) => {
    expect(needsCleanup(service)).toBe(want);
  });
});
