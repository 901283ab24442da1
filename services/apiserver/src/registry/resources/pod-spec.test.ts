import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../types';
import { defaultPodSpec } from './pod-spec';
import { pods } from './pods';
import { defaultPodTemplate } from './workloads';

const container = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ name: 'app', image: 'nginx:1.27', ...extra });
const defaulted = (spec: Record<string, unknown>) => {
  defaultPodSpec(spec);
  return spec;
};

describe('pod spec defaults', () => {
  it('defaults a probe as SetDefaults_Probe does, and an httpGet action as SetDefaults_HTTPGetAction', () => {
    const spec = defaulted({ containers: [container({ livenessProbe: { httpGet: { port: 80 } }, readinessProbe: { tcpSocket: { port: 80 } }, startupProbe: { exec: { command: ['true'] } } })] });
    const c = (spec.containers as Array<Record<string, unknown>>)[0]!;
    expect(c.livenessProbe).toEqual({ httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    expect(c.readinessProbe).toEqual({ tcpSocket: { port: 80 }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    expect(c.startupProbe).toEqual({ exec: { command: ['true'] }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  });

  it('keeps what a probe sets, and defaults the zeros Go treats as unset', () => {
    const probe = { httpGet: { path: '/healthz', port: 8080, scheme: 'HTTPS' }, initialDelaySeconds: 5, timeoutSeconds: 2, periodSeconds: 3, successThreshold: 1, failureThreshold: 7 };
    const spec = defaulted({ containers: [container({ livenessProbe: structuredClone(probe), readinessProbe: { httpGet: { port: 80, path: '' }, timeoutSeconds: 0, periodSeconds: 0 } })] });
    const c = (spec.containers as Array<Record<string, unknown>>)[0]!;
    expect(c.livenessProbe).toEqual(probe);
    expect(c.readinessProbe).toEqual({ httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  });

  it('defaults a lifecycle hook\'s httpGet action as a probe\'s, and leaves an exec or sleep hook as it is', () => {
    const c = container({ lifecycle: { postStart: { httpGet: { port: 8080 } }, preStop: { sleep: { seconds: 5 } } } });
    defaulted({ containers: [c] });
    expect(c.lifecycle).toEqual({ postStart: { httpGet: { port: 8080, path: '/', scheme: 'HTTP' } }, preStop: { sleep: { seconds: 5 } } });
  });

  it('a Pod\'s missing requests are its limits, resource by resource (SetDefaults_Pod); a template\'s are not', () => {
    const pod = { metadata: { name: 'p' }, spec: { containers: [container({ resources: { requests: { cpu: '250m' }, limits: { cpu: '1', memory: '512Mi' } } })] } } as KubeObject;
    pods.strategy.prepareForCreate!(pod);
    expect((pod.spec!.containers as Array<{ resources: unknown }>)[0]!.resources).toEqual({ requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '512Mi' } });
    expect(pod.status?.qosClass).toBe('Burstable');
    const guaranteed = { metadata: { name: 'g' }, spec: { containers: [container({ resources: { limits: { cpu: '1', memory: '64Mi' } } })] } } as KubeObject;
    pods.strategy.prepareForCreate!(guaranteed);
    expect(guaranteed.status?.qosClass).toBe('Guaranteed');
    const deployment = { metadata: { name: 'd' }, spec: { template: { spec: { containers: [container({ resources: { limits: { memory: '64Mi' } } })] } } } } as KubeObject;
    defaultPodTemplate(deployment);
    expect(((deployment.spec!.template as { spec: { containers: Array<{ resources: unknown }> } }).spec.containers[0]!.resources)).toEqual({ limits: { memory: '64Mi' } });
  });

  it('leaves a container without probes without them', () => {
    const c = (defaulted({ containers: [container()] }).containers as Array<Record<string, unknown>>)[0]!;
    expect(c).not.toHaveProperty('livenessProbe');
    expect(c).not.toHaveProperty('readinessProbe');
    expect(c).not.toHaveProperty('startupProbe');
  });

  it('defaults container ports (init containers too) to TCP, keeping UDP', () => {
    const spec = defaulted({
      initContainers: [container({ name: 'init', ports: [{ containerPort: 53 }] })],
      containers: [container({ ports: [{ containerPort: 80, name: 'http' }, { containerPort: 53, protocol: 'UDP' }] })],
    });
    expect((spec.initContainers as Array<{ ports: unknown }>)[0]!.ports).toEqual([{ containerPort: 53, protocol: 'TCP' }]);
    expect((spec.containers as Array<{ ports: unknown }>)[0]!.ports).toEqual([
      { containerPort: 80, name: 'http', protocol: 'TCP' },
      { containerPort: 53, protocol: 'UDP' },
    ]);
  });

  it('defaults a fieldRef apiVersion to v1 in env and downward API volumes (SetDefaults_ObjectFieldSelector)', () => {
    const spec = defaulted({
      containers: [
        container({
          env: [
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
            { name: 'LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.memory' } } },
            { name: 'PLAIN', value: 'x' },
          ],
        }),
      ],
      volumes: [
        { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
        { name: 'all', projected: { sources: [{ downwardAPI: { items: [{ path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } }] } }, { configMap: { name: 'cm' } }] } },
      ],
    });
    expect((spec.containers as Array<{ env: unknown }>)[0]!.env).toEqual([
      { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
      { name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
      { name: 'LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.memory' } } },
      { name: 'PLAIN', value: 'x' },
    ]);
    expect(spec.volumes).toEqual([
      { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.labels' } }] } },
      { name: 'all', projected: { sources: [{ downwardAPI: { items: [{ path: 'ns', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } }, { configMap: { name: 'cm' } }] } },
    ]);
  });

  it('applies to a pod on create and to a workload template', () => {
    const pod = { metadata: { name: 'web' }, spec: { containers: [container({ ports: [{ containerPort: 80 }], readinessProbe: { httpGet: { port: 80 } } })] } } as KubeObject;
    pods.strategy.prepareForCreate!(pod);
    const c = (pod.spec!.containers as Array<Record<string, unknown>>)[0]!;
    expect(c.ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
    expect(c.readinessProbe).toMatchObject({ httpGet: { path: '/', scheme: 'HTTP' }, periodSeconds: 10 });

    const deployment = { metadata: { name: 'web' }, spec: { template: { spec: { containers: [container({ env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }] })] } } } } as KubeObject;
    defaultPodTemplate(deployment);
    const env = ((deployment.spec!.template as { spec: { containers: Array<{ env: unknown }> } }).spec.containers[0]!.env);
    expect(env).toEqual([{ name: 'N', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } }]);
  });
});
