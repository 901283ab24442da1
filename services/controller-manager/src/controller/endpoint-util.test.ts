import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@kubelab/client';
import { findPort, hasSelector, servicesToUpdateOnPodChange, shouldPodBeInEndpoints } from './endpoint-util';
import { runningPod, serviceFixture } from './testing-objects';

describe('findPort', () => {
  const pod: KubeObject = {
    ...runningPod('p', { ip: '10.0.0.1' }),
    spec: {
      containers: [{ name: 'app', ports: [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 5353, protocol: 'UDP' }] }],
      initContainers: [
        { name: 'sidecar', restartPolicy: 'Always', ports: [{ name: 'proxy', containerPort: 15001 }] },
        { name: 'init', ports: [{ name: 'setup', containerPort: 9999 }] },
      ],
    },
  };
  it.each([
    { name: 'a number is used as it is', port: { port: 80, targetPort: 9090 }, want: 9090 },
    { name: 'no targetPort: the port itself', port: { port: 80 }, want: 80 },
    { name: 'a name is looked up in the containers', port: { port: 80, targetPort: 'http' }, want: 8080 },
    { name: 'with the same protocol', port: { port: 53, targetPort: 'dns', protocol: 'UDP' }, want: 5353 },
    { name: 'not with another protocol', port: { port: 53, targetPort: 'dns', protocol: 'TCP' }, want: undefined },
    { name: 'sidecars count', port: { port: 80, targetPort: 'proxy' }, want: 15001 },
    { name: 'plain init containers do not', port: { port: 80, targetPort: 'setup' }, want: undefined },
    { name: 'an unknown name resolves to nothing', port: { port: 80, targetPort: 'metrics' }, want: undefined },
  ])('$name', ({ port, want }) => {
    expect(findPort(pod, port)).toBe(want);
  });
});

describe('which pods and Services take part', () => {
  it.each([
    { name: 'running with an IP', pod: runningPod('p', { ip: '10.0.0.1' }), terminating: false, want: true },
    { name: 'no IP yet', pod: runningPod('p'), terminating: true, want: false },
    { name: 'finished', pod: runningPod('p', { ip: '10.0.0.1', phase: 'Succeeded' }), terminating: true, want: false },
    { name: 'being deleted, not wanted', pod: runningPod('p', { ip: '10.0.0.1', deleting: true }), terminating: false, want: false },
    { name: 'being deleted, wanted', pod: runningPod('p', { ip: '10.0.0.1', deleting: true }), terminating: true, want: true },
  ])('pod $name', ({ pod, terminating, want }) => {
    expect(shouldPodBeInEndpoints(pod, terminating)).toBe(want);
  });

  it.each([
    { name: 'a selector', service: serviceFixture('web'), want: true },
    { name: 'no selector', service: serviceFixture('web', { selector: null }), want: false },
    { name: 'an empty selector (stored as none)', service: serviceFixture('web', { selector: {} }), want: false },
    { name: 'an ExternalName', service: serviceFixture('web', { type: 'ExternalName' }), want: false },
  ])('Service with $name', ({ service, want }) => {
    expect(hasSelector(service)).toBe(want);
  });
});

describe('servicesToUpdateOnPodChange', () => {
  const web = serviceFixture('web', { selector: { app: 'web' } });
  const api = serviceFixture('api', { selector: { app: 'api' } });
  const kubernetes = serviceFixture('kubernetes', { selector: null });
  const before = { ...runningPod('p', { ip: '10.0.0.1' }), metadata: { ...runningPod('p').metadata, resourceVersion: '1' } };
  const ready = { ...runningPod('p', { ip: '10.0.0.1', readySince: '2026-01-01T00:00:10Z' }), metadata: { ...before.metadata, resourceVersion: '2' } };
  const relabelled = { ...before, metadata: { ...before.metadata, resourceVersion: '2', labels: { app: 'api' } } };
  const name = (services: KubeObject[]) => services.map((s) => s.metadata.name).sort();
  it.each([
    { name: 'a pod that became ready: the Services selecting it', services: [web, api, kubernetes], now: ready, want: ['web'] },
    { name: 'relabelled: the Service it left and the one it joined', services: [web, api], now: relabelled, want: ['api', 'web'] },
    { name: 'the same version again: none', services: [web], now: before, want: [] },
    { name: 'no Service with a selector in the namespace: none, whatever changed', services: [kubernetes], now: ready, want: [] },
  ])('$name', ({ services, now, want }) => {
    expect(name(servicesToUpdateOnPodChange(services, before, now))).toEqual(want);
  });
});
