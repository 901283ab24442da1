import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../patch/json-value';
import { typedPatchErrors, validationErrorsText } from './typed-patch';

const deployment = (containers: JsonValue[]): JsonValue => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec: { containers } } } });

describe('typedPatchErrors (structured-merge-diff, an apply configuration as a typed object)', () => {
  it('a configuration with distinct keys has no errors, a port without protocol keyed by its default', () => {
    expect(typedPatchErrors(deployment([{ name: 'a', ports: [{ containerPort: 80 }, { containerPort: 80, protocol: 'UDP' }] }, { name: 'b' }]), 'Deployment')).toEqual([]);
  });

  it('duplicates in list maps, by their keys sorted, at their paths; each repeat counts', () => {
    const errors = typedPatchErrors(
      deployment([{ name: 'c', env: [{ name: 'FOO' }, { name: 'FOO' }, { name: 'FOO' }], ports: [{ containerPort: 93 }, { protocol: 'TCP', containerPort: 93 }] }]),
      'Deployment',
    );
    expect(errors).toEqual([
      '.spec.template.spec.containers[name="c"].env: duplicate entries for key [name="FOO"]',
      '.spec.template.spec.containers[name="c"].env: duplicate entries for key [name="FOO"]',
      '.spec.template.spec.containers[name="c"].ports: duplicate entries for key [containerPort=93,protocol="TCP"]',
    ]);
    expect(validationErrorsText(errors.slice(1))).toBe(
      'errors:\n  .spec.template.spec.containers[name="c"].env: duplicate entries for key [name="FOO"]\n  .spec.template.spec.containers[name="c"].ports: duplicate entries for key [containerPort=93,protocol="TCP"]',
    );
    expect(validationErrorsText(errors.slice(2))).toBe('.spec.template.spec.containers[name="c"].ports: duplicate entries for key [containerPort=93,protocol="TCP"]');
  });

  it('an item without a key that has no default, a non-object item, a duplicate in a set; atomic lists may repeat', () => {
    expect(typedPatchErrors({ apiVersion: 'v1', kind: 'Pod', metadata: { finalizers: ['a', 'a'] }, spec: { containers: [{ image: 'x' }, 'y', { name: 'z', args: ['1', '1'] }] } }, 'Pod')).toEqual([
      '.metadata.finalizers: duplicate entries for key [="a"]',
      '.spec.containers: element 0: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)',
      '.spec.containers: element 1: associative list with keys may not have non-map elements',
    ]);
  });
});
