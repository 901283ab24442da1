import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@kubelab/component-base';
import { deployments } from '../registry/resources/deployments';
import { configmaps } from '../registry/resources/configmaps';
import type { KubeObject } from '../registry/types';
import { createApiServer } from '../server';
import { memoryStore } from '../storage/testing/memory-store';
import { examineFields, unknownFields } from './field-validation';

describe('unknownFields', () => {
  it('names undeclared fields by their path, through nested objects and lists', () => {
    const body = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web', constructor: 'x' }, colour: 'red' },
      spec: {
        replicaz: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'a', image: 'nginx' }, { name: 'b', imagez: 'nginx', ports: [{ containerPort: 80, hostPortz: 1 }] }] },
        },
      },
    };
    expect(unknownFields(deployments, body)).toEqual([
      'metadata.colour',
      'spec.replicaz',
      'spec.template.spec.containers[1].imagez',
      'spec.template.spec.containers[1].ports[0].hostPortz',
    ]);
  });

  it('takes map keys (labels, data) as data, skips patch directives, and finds nothing in a declared body', () => {
    expect(unknownFields(configmaps, { metadata: { name: 'c' }, data: { constructor: 'a', toString: 'b' } })).toEqual([]);
    expect(unknownFields(deployments, { spec: { $setElementOrder: [], template: { spec: { containers: [{ $patch: 'delete', name: 'a' }] } } } })).toEqual([]);
    expect(unknownFields(deployments, { constructor: 1, spec: { toString: 1 } })).toEqual(['constructor', 'spec.toString']);
  });
});

describe('examineFields', () => {
  const deployment = (spec: Record<string, unknown>) => ({ metadata: { name: 'web', colour: 'red' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'a', image: 'nginx', imagez: 'x' }] } }, ...spec } });

  it('prunes the unknown fields it reports (Warn and Ignore: Kubernetes drops them), and keeps everything else', () => {
    const body = deployment({ replicaz: 2, replicas: 2 });
    expect(examineFields(deployments, body, { prune: true }).unknown).toEqual(['metadata.colour', 'spec.template.spec.containers[0].imagez', 'spec.replicaz']);
    expect(body).toEqual({ metadata: { name: 'web' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'a', image: 'nginx' }] } } } });
    const unpruned = deployment({ replicaz: 2 });
    examineFields(deployments, unpruned);
    expect(unpruned.spec).toHaveProperty('replicaz');
  });

  it('words a value Go cannot decode into an int32 or integer field as encoding/json does, the first one only', () => {
    expect(examineFields(deployments, deployment({ replicas: 3_000_000_000 })).decodeError).toBe('json: cannot unmarshal number 3000000000 into Go struct field DeploymentSpec.spec.replicas of type int32');
    expect(examineFields(deployments, deployment({ replicas: 1.5, minReadySeconds: -3_000_000_000 })).decodeError).toBe('json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32');
    const port = deployment({});
    (port.spec.template.spec.containers[0] as Record<string, unknown>).ports = [{ containerPort: 2 ** 31 }];
    expect(examineFields(deployments, port).decodeError).toBe('json: cannot unmarshal number 2147483648 into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32');
    expect(examineFields(deployments, { metadata: { name: 'web', generation: 0.5 } }).decodeError).toBe('json: cannot unmarshal number 0.5 into Go struct field ObjectMeta.metadata.generation of type int64');
    // int64 fields take more than int32; IntOrString and Quantity fields are no integers; in range is fine.
    const fine = deployment({ replicas: 2147483647, strategy: { rollingUpdate: { maxSurge: 3_000_000_000 } } });
    (fine.spec.template.spec as Record<string, unknown>).terminationGracePeriodSeconds = 3_000_000_000;
    expect(examineFields(deployments, fine).decodeError).toBeUndefined();
  });
});


describe('the apiserver decoding request bodies', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  async function apiserver() {
    const { server, registry } = createApiServer({ store: memoryStore(), advertiseAddress: '127.0.0.1', bookmarkIntervalMs: 60_000, log: createLogger('apiserver-test', 'silent'), ready: () => true });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    close = () => new Promise((resolve) => server.close(() => resolve()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/apis/apps/v1/namespaces/default/deployments`;
    const send = async (method: string, path: string, body: unknown, contentType = 'application/json') => {
      const res = await fetch(`${base}${path}`, { method, headers: { 'content-type': contentType }, body: JSON.stringify(body) });
      return { code: res.status, warning: res.headers.get('warning'), body: (await res.json()) as KubeObject & { message?: string } };
    };
    const stored = () => registry.get(deployments, 'default', 'web');
    return { send, stored };
  }
  const manifest = (spec: Record<string, unknown> = {}) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'a', image: 'nginx' }] } }, ...spec } });

  it('with fieldValidation Warn (the default) or Ignore, stores no unknown field: not on create, update or patch', async () => {
    const { send, stored } = await apiserver();
    const created = await send('POST', '', manifest({ replicaz: 2 }));
    expect([created.code, created.warning]).toEqual([201, '299 - "unknown field \\"spec.replicaz\\""']);
    expect(created.body.spec).not.toHaveProperty('replicaz');
    expect((await stored()).spec).not.toHaveProperty('replicaz');
    const put = await send('PUT', '/web?fieldValidation=Ignore', { ...manifest({ colour: 'red' }), metadata: { name: 'web', shade: 'dark' } });
    expect([put.code, put.warning]).toEqual([200, null]);
    expect([(await stored()).spec, (await stored()).metadata]).not.toContainEqual(expect.objectContaining({ colour: 'red' }));
    expect((await stored()).metadata).not.toHaveProperty('shade');
    const merge = await send('PATCH', '/web', { spec: { paused: true, pausez: true } }, 'application/merge-patch+json');
    expect([merge.code, merge.warning]).toEqual([200, '299 - "unknown field \\"spec.pausez\\""']);
    expect((await stored()).spec).toMatchObject({ paused: true });
    expect((await stored()).spec).not.toHaveProperty('pausez');
    const json = await send('PATCH', '/web', [{ op: 'add', path: '/spec/speed', value: 3 }], 'application/json-patch+json');
    expect([json.code, json.warning]).toEqual([200, '299 - "unknown field \\"spec.speed\\""']);
    expect((await stored()).spec).not.toHaveProperty('speed');
    const strict = await send('PATCH', '/web?fieldValidation=Strict', [{ op: 'add', path: '/spec/speed', value: 3 }], 'application/json-patch+json');
    expect([strict.code, strict.body.message]).toEqual([400, 'strict decoding error: unknown field "spec.speed"']);
  });

  it('refuses a value beyond int32 as Kubernetes’ decoding does, whatever the fieldValidation', async () => {
    const { send } = await apiserver();
    for (const query of ['', '?fieldValidation=Strict', '?fieldValidation=Ignore']) {
      const refused = await send('POST', query, manifest({ replicas: 3_000_000_000 }));
      expect([refused.code, refused.body.message]).toEqual([400, 'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number 3000000000 into Go struct field DeploymentSpec.spec.replicas of type int32']);
    }
    expect((await send('POST', '', manifest({ replicas: 2 }))).code).toBe(201);
    const put = await send('PUT', '/web', manifest({ replicas: 2 ** 32 }));
    expect([put.code, put.body.message]).toEqual([400, 'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number 4294967296 into Go struct field DeploymentSpec.spec.replicas of type int32']);
  });
});
