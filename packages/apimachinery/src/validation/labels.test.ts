import { describe, expect, it } from 'vitest';
import { FieldPath } from './field-path';
import {
  annotationsSize,
  isQualifiedName,
  isValidLabelValue,
  validateAnnotations,
  validateLabelName,
  validateLabels,
} from './labels';

const NAME_PART =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const PREFIX_PART =
  "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const QUALIFIED =
  "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
const VALUE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

describe('isQualifiedName (label and annotation keys)', () => {
  it.each(['app', 'App.Name_1', 'app.kubernetes.io/name', 'example.com/MyName', 'a'.repeat(63)])('accepts %j', (key) => {
    expect(isQualifiedName(key)).toEqual([]);
  });

  // Checked against kubectl v1.32's label selector parser, which validates keys with this function.
  it.each<[string, string[]]>([
    ['a@', [NAME_PART]],
    ['x/', ['name part must be non-empty', NAME_PART]],
    ['/x', ['prefix part must be non-empty']],
    ['a/b/c', [QUALIFIED]],
    ['Example.com/x', [PREFIX_PART]],
    ['a_/b', [PREFIX_PART]],
    ['a'.repeat(64), ['name part must be no more than 63 characters']],
    [`${'a'.repeat(254)}/x`, ['prefix part must be no more than 253 characters']],
    [`${'a'.repeat(254)}/-x-`, ['prefix part must be no more than 253 characters', NAME_PART]],
    ['', ['name part must be non-empty', NAME_PART]],
  ])('rejects %j', (key, want) => {
    expect(isQualifiedName(key)).toEqual(want);
  });
});

describe('isValidLabelValue', () => {
  it.each(['', 'v1', 'my_value', '12345', 'a.b-c_d', 'x'.repeat(63)])('accepts %j', (v) => {
    expect(isValidLabelValue(v)).toEqual([]);
  });

  it.each<[string, string[]]>([
    ['-bad-', [VALUE]],
    ['has space', [VALUE]],
    ['x'.repeat(64), ['must be no more than 63 characters']],
    ['-'.repeat(64), ['must be no more than 63 characters', VALUE]],
  ])('rejects %j', (v, want) => {
    expect(isValidLabelValue(v)).toEqual(want);
  });
});

describe('validateLabels', () => {
  const path = FieldPath.of('metadata', 'labels');
  it('reports key and value errors at the labels path', () => {
    expect(validateLabels({ ok: 'fine', 'a@': '-bad', app: 'x'.repeat(64) }, path).map(String)).toEqual([
      `metadata.labels: Invalid value: "a@": ${NAME_PART}`,
      `metadata.labels: Invalid value: "-bad": ${VALUE}`,
      `metadata.labels: Invalid value: "${'x'.repeat(64)}": must be no more than 63 characters`,
    ]);
  });

  it('accepts no labels', () => {
    expect(validateLabels(undefined, path)).toEqual([]);
  });

  it('validateLabelName reports one error per message', () => {
    expect(validateLabelName('x/', FieldPath.of('key')).map(String)).toEqual([
      'key: Invalid value: "x/": name part must be non-empty',
      `key: Invalid value: "x/": ${NAME_PART}`,
    ]);
  });
});

describe('validateAnnotations', () => {
  const path = FieldPath.of('metadata', 'annotations');
  it('compares keys case-insensitively but reports them as written', () => {
    expect(validateAnnotations({ 'Example.COM/Key': 'v' }, path)).toEqual([]);
    expect(validateAnnotations({ 'bad key': 'v' }, path).map(String)).toEqual([
      `metadata.annotations: Invalid value: "bad key": ${NAME_PART}`,
    ]);
  });

  it.each([
    ['at the limit', 256 * 1024 - 1, []],
    ['over the limit', 256 * 1024, ['metadata.annotations: Too long: may not be more than 262144 bytes']],
  ])('%s', (_what, valueLength, want) => {
    expect(validateAnnotations({ k: 'v'.repeat(valueLength) }, path).map(String)).toEqual(want);
  });

  it('counts bytes, not characters', () => {
    expect(annotationsSize({ k: 'é' })).toBe(3);
  });
});
