import type { KubeObject } from '@kubelab/client';
import { describe, expect, it } from 'vitest';
import type { Container } from '../status/api-types';
import { containerEnvironment, type EnvSources } from './env';
import { expand } from './expansion';
import { serviceEnvironment } from './service-env';

const service = (name: string, namespace: string, clusterIP: string, ports: Array<{ name?: string; port: number; protocol?: string }>): KubeObject => ({
  metadata: { name, namespace },
  spec: { clusterIP, ports },
});

const services = [
  service('kubernetes', 'default', '127.96.0.1', [{ name: 'https', port: 443 }]),
  service('redis', 'shop', '127.96.0.20', [{ port: 6379 }]),
  service('web-front', 'shop', '127.96.0.21', [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }]),
  service('headless', 'shop', 'None', [{ port: 80 }]),
  service('other', 'elsewhere', '127.96.0.30', [{ port: 1 }]),
];

const pod = (spec: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name: 'web-1', namespace: 'shop', uid: 'uid-1', labels: { app: 'web', tier: 'front' }, annotations: { note: 'a "quoted" value' } },
  spec: { nodeName: 'node-1', serviceAccountName: 'default', containers: [], ...spec },
});

function sources(objects: Record<string, KubeObject> = {}, warnings: string[] = []): EnvSources {
  return {
    getConfigMap: async (ns, name) => objects[`configmap/${ns}/${name}`],
    getSecret: async (ns, name) => objects[`secret/${ns}/${name}`],
    services: () => services,
    nodeAllocatable: async () => ({ cpu: '2', memory: '8Gi' }),
    warn: (_pod, reason, message) => warnings.push(`${reason} ${message}`),
  };
}

const context = { podIP: '127.244.1.7', hostIP: '127.18.0.2', hostname: 'web-1', dns: { nameservers: ['127.96.0.10'], searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local'] } };

describe('service links', () => {
  it('gives the Docker-link variables of every Service of the namespace and the kubernetes Service', () => {
    expect(serviceEnvironment(services, 'shop', true)).toEqual({
      KUBERNETES_SERVICE_HOST: '127.96.0.1',
      KUBERNETES_SERVICE_PORT: '443',
      KUBERNETES_SERVICE_PORT_HTTPS: '443',
      KUBERNETES_PORT: 'tcp://127.96.0.1:443',
      KUBERNETES_PORT_443_TCP: 'tcp://127.96.0.1:443',
      KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
      KUBERNETES_PORT_443_TCP_PORT: '443',
      KUBERNETES_PORT_443_TCP_ADDR: '127.96.0.1',
      REDIS_SERVICE_HOST: '127.96.0.20',
      REDIS_SERVICE_PORT: '6379',
      REDIS_PORT: 'tcp://127.96.0.20:6379',
      REDIS_PORT_6379_TCP: 'tcp://127.96.0.20:6379',
      REDIS_PORT_6379_TCP_PROTO: 'tcp',
      REDIS_PORT_6379_TCP_PORT: '6379',
      REDIS_PORT_6379_TCP_ADDR: '127.96.0.20',
      WEB_FRONT_SERVICE_HOST: '127.96.0.21',
      WEB_FRONT_SERVICE_PORT: '80',
      WEB_FRONT_SERVICE_PORT_HTTP: '80',
      WEB_FRONT_SERVICE_PORT_DNS: '53',
      WEB_FRONT_PORT: 'tcp://127.96.0.21:80',
      WEB_FRONT_PORT_80_TCP: 'tcp://127.96.0.21:80',
      WEB_FRONT_PORT_80_TCP_PROTO: 'tcp',
      WEB_FRONT_PORT_80_TCP_PORT: '80',
      WEB_FRONT_PORT_80_TCP_ADDR: '127.96.0.21',
      WEB_FRONT_PORT_53_UDP: 'udp://127.96.0.21:53',
      WEB_FRONT_PORT_53_UDP_PROTO: 'udp',
      WEB_FRONT_PORT_53_UDP_PORT: '53',
      WEB_FRONT_PORT_53_UDP_ADDR: '127.96.0.21',
    });
  });

  it('with enableServiceLinks false only the kubernetes Service', () => {
    expect(Object.keys(serviceEnvironment(services, 'shop', false)).every((k) => k.startsWith('KUBERNETES_'))).toBe(true);
  });
});

describe('$(VAR) expansion', () => {
  it.each([
    ['$(A)-$(B)', 'a-b'],
    ['$(MISSING)', '$(MISSING)'],
    ['$$(A)', '$(A)'],
    ['$$', '$'],
    ['a$b', 'a$b'],
    ['$(A', '$(A'],
    ['end$', 'end$'],
    ['$(A)$(A)', 'aa'],
  ])('%s -> %s', (input, output) => {
    expect(expand(input, { A: 'a' }, { B: 'b' })).toBe(output);
  });
});

describe('containerEnvironment', () => {
  it('resolves values, fieldRefs, resourceFieldRefs, ConfigMap and Secret keys, envFrom, service links, HOSTNAME and the KUBELAB_* variables', async () => {
    const container: Container = {
      name: 'web',
      image: 'nginx',
      resources: { limits: { memory: '64Mi' }, requests: { cpu: '250m' } },
      envFrom: [{ configMapRef: { name: 'base' } }, { prefix: 'S_', secretRef: { name: 'creds' } }],
      env: [
        { name: 'GREETING', value: 'hello $(NAME) at $(REDIS_SERVICE_HOST)' },
        { name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'LATE', value: '$(NAME)' },
        { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
        { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'NOTE', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['note']" } } },
        { name: 'LABELS', valueFrom: { fieldRef: { fieldPath: 'metadata.labels' } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
        { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'POD_IPS', valueFrom: { fieldRef: { fieldPath: 'status.podIPs' } } },
        { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
        { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'CPU_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        { name: 'CPU_REQ_M', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
        { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode' } } },
        { name: 'MAYBE', valueFrom: { configMapKeyRef: { name: 'absent', key: 'x', optional: true } } },
        { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
        { name: 'FROM_BASE', value: 'overrides' },
      ],
    };
    const objects = {
      'configmap/shop/settings': { metadata: { name: 'settings' }, data: { mode: 'fast' } },
      'configmap/shop/base': { metadata: { name: 'base' }, data: { FROM_BASE: 'base', 'bad key': 'x', '1BAD': 'y' } },
      'secret/shop/creds': { metadata: { name: 'creds' }, data: { password: Buffer.from('s3cret').toString('base64') } },
    };
    const warnings: string[] = [];
    const { env } = await containerEnvironment(pod({ containers: [container] }), container, context, sources(objects, warnings));
    expect(env).toMatchObject({
      GREETING: 'hello $(NAME) at 127.96.0.20',
      NAME: 'web-1',
      LATE: 'web-1',
      NS: 'shop',
      UID: 'uid-1',
      APP: 'web',
      NOTE: 'a "quoted" value',
      LABELS: 'app="web"\ntier="front"',
      NODE: 'node-1',
      SA: 'default',
      POD_IP: '127.244.1.7',
      POD_IPS: '127.244.1.7',
      HOST_IP: '127.18.0.2',
      MEM_MI: '64',
      CPU_LIMIT: '2',
      CPU_REQ_M: '250',
      MODE: 'fast',
      PASSWORD: 's3cret',
      S_password: 's3cret',
      FROM_BASE: 'overrides',
      HOSTNAME: 'web-1',
      REDIS_SERVICE_HOST: '127.96.0.20',
      KUBERNETES_SERVICE_HOST: '127.96.0.1',
      KUBELAB_POD_IP: '127.244.1.7',
      KUBELAB_POD_NAME: 'web-1',
      KUBELAB_NAMESERVER: '127.96.0.10',
      KUBELAB_DNS_SEARCH: 'shop.svc.cluster.local svc.cluster.local cluster.local',
    });
    expect(env).not.toHaveProperty('MAYBE');
    expect(env).not.toHaveProperty('OTHER_SERVICE_HOST');
    expect(warnings).toEqual(['InvalidEnvironmentVariableNames Keys [1BAD, bad key] from the EnvFrom configMap shop/base were skipped since they are considered invalid environment variable names.']);
  });

  it("a variable set in the spec wins over a service link; command and args have $(VAR) expanded", async () => {
    const container: Container = { name: 'web', image: 'busybox:1.36.1', command: ['sh', '-c', 'echo $(GREETING) $$(NOT)'], args: ['$(REDIS_SERVICE_PORT)'], env: [{ name: 'REDIS_SERVICE_HOST', value: 'mine' }, { name: 'GREETING', value: 'hi' }] };
    const result = await containerEnvironment(pod(), container, context, sources());
    expect(result.env.REDIS_SERVICE_HOST).toBe('mine');
    expect(result.command).toEqual(['sh', '-c', 'echo hi $(NOT)']);
    expect(result.args).toEqual(['6379']);
  });

  it.each([
    [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'missing', key: 'k' } } }, 'configmap "missing" not found'],
    [{ name: 'X', valueFrom: { secretKeyRef: { name: 'missing', key: 'k' } } }, 'secret "missing" not found'],
    [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'settings', key: 'nope' } } }, "couldn't find key nope in ConfigMap shop/settings"],
    [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'spec.nope' } } }, 'unsupported fieldPath: spec.nope'],
  ])('fails as Kubernetes does: %j', async (variable, message) => {
    const container: Container = { name: 'web', image: 'nginx', env: [variable] };
    const objects = { 'configmap/shop/settings': { metadata: { name: 'settings' }, data: { mode: 'fast' } } };
    await expect(containerEnvironment(pod(), container, context, sources(objects))).rejects.toThrow(message);
  });

  it('an optional missing envFrom source is skipped; a required one fails', async () => {
    const optional: Container = { name: 'web', image: 'nginx', envFrom: [{ configMapRef: { name: 'gone', optional: true } }] };
    await expect(containerEnvironment(pod(), optional, context, sources())).resolves.toBeDefined();
    const required: Container = { name: 'web', image: 'nginx', envFrom: [{ secretRef: { name: 'gone' } }] };
    await expect(containerEnvironment(pod(), required, context, sources())).rejects.toThrow('secret "gone" not found');
  });

  it('without cluster DNS no KUBELAB_NAMESERVER', async () => {
    const { env } = await containerEnvironment(pod(), { name: 'web', image: 'nginx' }, { ...context, dns: undefined }, sources());
    expect(env).not.toHaveProperty('KUBELAB_NAMESERVER');
    expect(env.KUBELAB_POD_IP).toBe('127.244.1.7');
  });
});
