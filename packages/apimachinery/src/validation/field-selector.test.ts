import { describe, expect, it } from 'vitest';
import { SelectorParseError } from './label-selector';
import {
  escapeFieldValue,
  fieldLabelNotSupportedMessage,
  oneTermEqualSelector,
  parseFieldSelector,
  unescapeFieldValue,
} from './field-selector';

describe('parseFieldSelector', () => {
  it.each([
    // selector, requirements as [field, operator, value]
    ['', []],
    ['metadata.name=x', [['metadata.name', '=', 'x']]],
    ['metadata.name==x', [['metadata.name', '==', 'x']]],
    ['status.phase!=Running', [['status.phase', '!=', 'Running']]],
    ['spec.nodeName=', [['spec.nodeName', '=', '']]],
    ['spec.nodeName=n1,metadata.namespace=default', [['metadata.namespace', '=', 'default'], ['spec.nodeName', '=', 'n1']]],
    ['a=b,,c=d', [['a', '=', 'b'], ['c', '=', 'd']]],
    ['a=x\\,y', [['a', '=', 'x,y']]],
    ['a=x\\=y\\\\z', [['a', '=', 'x=y\\z']]],
    ['a=!b', [['a', '=', '!b']]],
  ])('%j', (selector, want) => {
    expect(parseFieldSelector(selector).requirements.map((r) => [r.field, r.operator, r.value])).toEqual(want);
  });

  it.each([
    ['foo', "invalid selector: 'foo'; can't understand 'foo'"],
    ['a=b,foo', "invalid selector: 'a=b,foo'; can't understand 'foo'"],
    ['a=b\\x', 'invalid field selector: invalid escape sequence: \\x'],
    ['a=b\\', 'invalid field selector: invalid escape sequence: \\'],
    ['a=b=c', 'invalid field selector: unescaped character in value: 61'],
  ])('%j fails with %j', (selector, message) => {
    expect(() => parseFieldSelector(selector)).toThrow(new SelectorParseError(message));
  });
});

describe('FieldSelector', () => {
  it.each([
    ['metadata.name=x', { 'metadata.name': 'x' }, true],
    ['metadata.name=x', { 'metadata.name': 'y' }, false],
    ['status.phase!=Running', { 'status.phase': 'Pending' }, true],
    ['status.phase!=Running', { 'status.phase': 'Running' }, false],
    ['spec.nodeName=', {}, true],
    ['spec.nodeName=', { 'spec.nodeName': 'n1' }, false],
    ['spec.nodeName!=', { 'spec.nodeName': 'n1' }, true],
    ['a=1,b=2', { a: '1', b: '2' }, true],
    ['a=1,b=2', { a: '1', b: '3' }, false],
    ['', { a: '1' }, true],
    ['constructor=', {}, true],
  ])('%j on %j: %s', (selector, fields, want) => {
    expect(parseFieldSelector(selector).matches(fields)).toBe(want);
  });

  it.each([
    ['b=2,a==1', 'a=1,b=2'],
    ['status.phase!=Running', 'status.phase!=Running'],
    ['a=x\\,y', 'a=x\\,y'],
    ['', ''],
  ])('%j prints as %j', (selector, want) => {
    expect(parseFieldSelector(selector).toString()).toBe(want);
  });

  it.each([
    ['metadata.name', 'x'],
    ['status.phase', undefined],
    ['spec.nodeName', undefined],
  ])('requiresExactMatch(%s) is %s', (field, want) => {
    expect(parseFieldSelector('metadata.name=x,status.phase!=Running').requiresExactMatch(field)).toBe(want);
  });

  it('transforms fields, dropping terms mapped to nothing and passing errors on', () => {
    const s = parseFieldSelector('name=x,legacy=1');
    const mapped = s.transform((f, v) => (f === 'legacy' ? ['', ''] : [`metadata.${f}`, v]));
    expect(mapped.toString()).toBe('metadata.name=x');
    expect(() =>
      s.transform((f) => {
        throw new Error(fieldLabelNotSupportedMessage(f));
      }),
    ).toThrow('field label not supported: legacy');
    expect(oneTermEqualSelector('spec.nodeName', 'n1').toString()).toBe('spec.nodeName=n1');
    expect(parseFieldSelector('').isEmpty()).toBe(true);
  });
});

describe('escaping', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', 'a\\,b'],
    ['a=b', 'a\\=b'],
    ['a\\b', 'a\\\\b'],
  ])('%j escapes to %j and back', (raw, escaped) => {
    expect(escapeFieldValue(raw)).toBe(escaped);
    expect(unescapeFieldValue(escaped)).toBe(raw);
  });
});
