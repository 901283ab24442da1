import type { KubeObject } from '@kubelab/client';
import { describe, expect, it } from 'vitest';
import { defaultPullPolicy } from './image-puller';
import { podDNS, podHostname, podSandboxConfig } from './sandbox';

const cluster = { nameserver: '127.96.0.10', clusterDomain: 'cluster.local' };
const pod = (spec: Record<string, unknown> = {}, name = 'web-1'): KubeObject => ({ metadata: { name, namespace: 'shop', uid: 'u' }, spec: { containers: [], ...spec } });

describe('podDNS', () => {
  it('ClusterFirst: the cluster DNS, the namespace search list and ndots:5', () => {
    expect(podDNS(pod(), cluster)).toEqual({ dns: { nameservers: ['127.96.0.10'], searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], options: ['ndots:5'] }, fellBack: false });
  });

  it('ClusterFirst without a cluster DNS falls back to Default (and says so)', () => {
    expect(podDNS(pod(), undefined)).toEqual({ dns: undefined, fellBack: true });
  });

  it('Default keeps the node resolution; host network pods use it unless ClusterFirstWithHostNet', () => {
    expect(podDNS(pod({ dnsPolicy: 'Default' }), cluster).dns).toBeUndefined();
    expect(podDNS(pod({ hostNetwork: true }), cluster).dns).toBeUndefined();
    expect(podDNS(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), cluster).dns?.nameservers).toEqual(['127.96.0.10']);
  });

  it('None uses dnsConfig only; dnsConfig adds to the others, options by name', () => {
    expect(podDNS(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.2.3.4'], searches: ['x.local'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } }), cluster).dns).toEqual({
      nameservers: ['1.2.3.4'],
      searches: ['x.local'],
      options: ['ndots:2', 'edns0'],
    });
    expect(podDNS(pod({ dnsConfig: { searches: ['extra.local', 'svc.cluster.local'], options: [{ name: 'ndots', value: '1' }] } }), cluster).dns).toEqual({
      nameservers: ['127.96.0.10'],
      searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'extra.local'],
      options: ['ndots:1'],
    });
  });
});

describe('sandbox', () => {
  it('hostname: spec.hostname, else the name cut to 63 characters', () => {
    expect(podHostname(pod({ hostname: 'db-0' }))).toBe('db-0');
    expect(podHostname(pod({}, `${'a'.repeat(62)}-bcd`))).toBe('a'.repeat(62));
    expect(podSandboxConfig(pod(), '127.244.1.9', undefined)).toEqual({ uid: 'u', name: 'web-1', namespace: 'shop', ip: '127.244.1.9', hostname: 'web-1' });
  });

  it.each([
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.27', 'IfNotPresent'],
    ['localhost:5000/app', 'Always'],
    ['localhost:5000/app:v1', 'IfNotPresent'],
    ['nginx@sha256:abc', 'IfNotPresent'],
  ])('default imagePullPolicy of %s is %s', (image, policy) => {
    expect(defaultPullPolicy(image)).toBe(policy);
  });
});
