import { describe, expect, it } from 'vitest';
import { groupVersions, RESOURCES } from '../registry/catalog';
import { openapiV3 } from './openapi';
import { description, groupVersionSchemas, kindSchemaName } from './openapi-schemas';
import { loadKubernetesProtos, protobufTypeName } from './protobuf';

type Schema = Record<string, any>;

function doc(path: string): { paths: Record<string, Record<string, Schema>>; components: { schemas: Record<string, Schema> } } {
  return JSON.parse(openapiV3(path) as string);
}

describe('OpenAPI v3 schemas from the Kubernetes protos', () => {
  it('every $ref of every group version document resolves inside it, and every served kind has its schema', () => {
    for (const { group, version } of groupVersions()) {
      const path = group ? `v3/apis/${group}/${version}` : `v3/api/${version}`;
      const text = openapiV3(path) as string;
      const schemas = doc(path).components.schemas;
      for (const [, name] of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) expect(schemas[name!], `${path}: ${name}`).toBeDefined();
      for (const type of RESOURCES.filter((r) => r.group === group && r.version === version)) {
        const gvk = { group, version, kind: type.kind };
        expect(schemas[kindSchemaName(group, version, type.kind)], JSON.stringify(gvk)).toBeDefined();
        // kinds without a Kubernetes proto in proto/k8s (apiregistration.k8s.io) have an open schema only
        const protoName = protobufTypeName(group ? `${group}/${version}` : version, type.kind);
        if (!protoName || !loadKubernetesProtos().lookup(protoName)) continue;
        const found = Object.values(schemas).filter((s) => (s['x-kubernetes-group-version-kind'] as unknown[] | undefined)?.some((g) => JSON.stringify(g) === JSON.stringify({ group, kind: type.kind, version })));
        expect(found, JSON.stringify(gvk)).toHaveLength(1);
        expect(found[0]!['properties']['apiVersion']).toMatchObject({ type: 'string' });
        expect(found[0]!['properties']['metadata']).toMatchObject({ allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }] });
      }
    }
  });

  it('writes the kinds, fields and special types as Kubernetes does', () => {
    // Schemas are nested JSON; the test walks them loosely.
    const s = groupVersionSchemas('apps', 'v1', RESOURCES) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(s['io.k8s.api.apps.v1.Deployment']).toMatchObject({
      description: 'Deployment enables declarative updates for Pods and ReplicaSets.',
      type: 'object',
      'x-kubernetes-group-version-kind': [{ group: 'apps', kind: 'Deployment', version: 'v1' }],
    });
    const spec = s['io.k8s.api.apps.v1.DeploymentSpec']!;
    expect(spec['required']).toEqual(['selector', 'template']);
    expect(spec['properties']['replicas']).toEqual({
      type: 'integer',
      format: 'int32',
      description: 'Number of desired pods. This is a pointer to distinguish between explicit zero and not specified. Defaults to 1.',
    });
    expect(spec['properties']['strategy']).toMatchObject({ allOf: [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy' }], 'x-kubernetes-patch-strategy': 'retainKeys' });
    // everything after a `---` line is not documentation
    expect(s['io.k8s.api.apps.v1.DeploymentStrategy']!['properties']['rollingUpdate']['description']).toBe('Rolling update config params. Present only if DeploymentStrategyType = RollingUpdate.');
    expect(s['io.k8s.api.core.v1.PodSpec']!['properties']['containers']).toMatchObject({
      type: 'array',
      items: { $ref: '#/components/schemas/io.k8s.api.core.v1.Container' },
      'x-kubernetes-list-map-keys': ['name'],
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-patch-strategy': 'merge',
    });
    expect(s['io.k8s.api.core.v1.ResourceRequirements']!['properties']['limits']).toMatchObject({
      type: 'object',
      additionalProperties: { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity' },
    });
    // Volume has the fields of its embedded VolumeSource; ConfigMapKeySelector those of LocalObjectReference
    expect(Object.keys(s['io.k8s.api.core.v1.Volume']!['properties'])).toEqual(expect.arrayContaining(['name', 'configMap', 'emptyDir', 'secret']));
    expect(s['io.k8s.api.core.v1.Volume']!['required']).toEqual(['name']);
    expect(s['io.k8s.api.core.v1.ConfigMapKeySelector']).toMatchObject({ required: ['key'], 'x-kubernetes-map-type': 'atomic' });
    expect(Object.keys(s['io.k8s.api.core.v1.ConfigMapKeySelector']!['properties']).sort()).toEqual(['key', 'name', 'optional']);
    expect(s['io.k8s.apimachinery.pkg.api.resource.Quantity']).toMatchObject({ oneOf: [{ type: 'string' }, { type: 'number' }] });
    expect(s['io.k8s.apimachinery.pkg.api.resource.Quantity']!['type']).toBeUndefined();
    expect(s['io.k8s.apimachinery.pkg.util.intstr.IntOrString']).toMatchObject({ format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] });
    expect(s['io.k8s.apimachinery.pkg.apis.meta.v1.Time']).toMatchObject({ type: 'string', format: 'date-time' });
    expect(s['io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference']!['required']).toEqual(['apiVersion', 'kind', 'name', 'uid']);
    expect(s['io.k8s.api.apps.v1.DeploymentCondition']!['required']).toEqual(['type', 'status']);
  });

  it('operations refer to the kind, its list, Patch, DeleteOptions and Status', () => {
    const paths = doc('v3/apis/apps/v1').paths;
    const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
    const collection = paths['/apis/apps/v1/namespaces/{namespace}/deployments']!;
    const item = paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']!;
    expect(collection['get']!['responses']['200']['content']['application/json']['schema']).toEqual(ref('io.k8s.api.apps.v1.DeploymentList'));
    expect(collection['post']!['requestBody']['content']['*/*']['schema']).toEqual(ref('io.k8s.api.apps.v1.Deployment'));
    expect(Object.keys(item['patch']!['requestBody']['content'])).toContain('application/strategic-merge-patch+json');
    expect(item['patch']!['parameters'].map((p: Schema) => p['name'])).toContain('fieldValidation');
    expect(item['delete']!['responses']['200']['content']['application/json']['schema']).toEqual(ref('io.k8s.apimachinery.pkg.apis.meta.v1.Status'));
  });

  it('turns comments into descriptions as kube-openapi does', () => {
    expect(description(['First line', 'second line.', '', 'Next paragraph.', '+optional', 'TODO: later', '---', 'hidden'])).toBe('First line second line.\n\nNext paragraph.');
    expect(description(['Example:', '\tindented', 'after'])).toBe('Example:\n\tindented\nafter');
  });
});
