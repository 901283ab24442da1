import { describe, expect, it } from 'vitest';
import { FieldPath, childOf, pathString } from '../validation/field-path';
import {
  aggregateMessage,
  duplicate,
  FieldError,
  forbidden,
  internalError,
  invalid,
  notFound,
  notSupported,
  required,
  tooLong,
  tooMany,
  typeInvalid,
} from './field-error';

const image = FieldPath.of('spec', 'containers').index(0).child('image');

describe('FieldPath', () => {
  it.each([
    [FieldPath.of('metadata', 'name'), 'metadata.name'],
    [image, 'spec.containers[0].image'],
    [FieldPath.of('metadata').child('labels').key('app'), 'metadata.labels[app]'],
    [FieldPath.of('values').index(0).key('a'), 'values[0][a]'],
    [FieldPath.of('spec').child('template', 'spec'), 'spec.template.spec'],
    [FieldPath.of('items').index(2).index(3), 'items[2][3]'],
    [image.root(), 'spec'],
  ])('prints %s', (path, want) => {
    expect(path.toString()).toBe(want);
  });

  it('prints an absent path as <nil>, and a child of it as a new root', () => {
    expect(pathString(null)).toBe('<nil>');
    expect(childOf(null, 'key').toString()).toBe('key');
    expect(childOf(FieldPath.of('spec'), 'selector').toString()).toBe('spec.selector');
  });
});

describe('FieldError messages', () => {
  it.each<[string, FieldError, string]>([
    ['required', required(image), 'spec.containers[0].image: Required value'],
    ['required with detail', required(FieldPath.of('metadata', 'name'), 'name or generateName is required'),
      'metadata.name: Required value: name or generateName is required'],
    ['invalid string', invalid(FieldPath.of('metadata', 'name'), 'Bad_Name', 'must be lowercase'),
      'metadata.name: Invalid value: "Bad_Name": must be lowercase'],
    ['invalid number', invalid(FieldPath.of('spec', 'ports').index(0).child('port'), 70000, 'must be between 1 and 65535, inclusive'),
      'spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive'],
    ['invalid list', invalid(FieldPath.of('values'), [], "for 'in', 'notin' operators, values set can't be empty"),
      "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty"],
    ['not supported', notSupported(FieldPath.of('spec', 'restartPolicy'), 'Sometimes', ['Always', 'OnFailure', 'Never']),
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'],
    ['not supported without a list', notSupported(FieldPath.of('x'), 'y', []), 'x: Unsupported value: "y"'],
    ['duplicate', duplicate(FieldPath.of('spec', 'containers').index(1).child('name'), 'web'),
      'spec.containers[1].name: Duplicate value: "web"'],
    ['forbidden', forbidden(FieldPath.of('spec'), 'pod updates may not change fields other than `spec.containers[*].image`'),
      'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`'],
    ['too long', tooLong(FieldPath.of('metadata', 'annotations'), 262144),
      'metadata.annotations: Too long: may not be more than 262144 bytes'],
    ['too long, one byte', tooLong(FieldPath.of('x'), 1), 'x: Too long: may not be more than 1 byte'],
    ['too long, no limit', tooLong(FieldPath.of('x'), -1), 'x: Too long: value is too long'],
    ['too many', tooMany(FieldPath.of('spec', 'containers'), 5, 3), 'spec.containers: Too many: 5: must have at most 3 items'],
    ['too many, count unknown', tooMany(FieldPath.of('items'), -1, 1), 'items: Too many: must have at most 1 item'],
    ['too many, no limit', tooMany(FieldPath.of('items'), 4, -1), 'items: Too many: 4: has too many items'],
    ['not found', notFound(FieldPath.of('spec', 'volumes'), 'data'), 'spec.volumes: Not found: "data"'],
    ['type invalid', typeInvalid(FieldPath.of('spec', 'replicas'), 'three', 'must be an integer'),
      'spec.replicas: Invalid value: "three": must be an integer'],
    ['internal', internalError(FieldPath.of('spec'), new Error('boom')), 'spec: Internal error: boom'],
    ['on a nil path', invalid(null, 'a/b/c', 'bad'), '<nil>: Invalid value: "a/b/c": bad'],
  ])('%s', (_what, err, want) => {
    expect(err.message).toBe(want);
    expect(String(err)).toBe(want);
  });

  it('keeps type, field, value and detail for Status causes', () => {
    const e = invalid(FieldPath.of('metadata', 'name'), 'Bad_Name', 'x');
    expect([e.type, e.field, e.badValue, e.detail]).toEqual(['FieldValueInvalid', 'metadata.name', 'Bad_Name', 'x']);
    expect(e.errorBody()).toBe('Invalid value: "Bad_Name": x');
  });
});

describe('aggregateMessage', () => {
  const a = required(FieldPath.of('a'));
  const b = required(FieldPath.of('b'));
  it.each([
    ['no errors', [], undefined],
    ['one error, bare', [a], 'a: Required value'],
    ['several, bracketed', [a, b], '[a: Required value, b: Required value]'],
    ['duplicates dropped', [a, b, a], '[a: Required value, b: Required value]'],
    ['one after dropping duplicates, bare', [a, a], 'a: Required value'],
  ])('%s', (_what, errs, want) => {
    expect(aggregateMessage(errs)).toBe(want);
  });
});
