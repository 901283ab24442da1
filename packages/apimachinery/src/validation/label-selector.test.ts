import { describe, expect, it } from 'vitest';
import { FieldPath } from './field-path';
import {
  LabelSelector,
  newRequirement,
  parseInt64,
  Requirement,
  SelectorParseError,
  selectorFromSet,
  validatedSelectorFromSet,
  validateRequirement,
  type SelectionOperator,
} from './label-selector';

const VALUE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

describe('validateRequirement (labels.NewRequirement)', () => {
  it.each<[string, string, string[], string[]]>([
    ['a', 'in', ['x'], []],
    ['a', 'in', [], ["values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty"]],
    ['a', 'notin', [], ["values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty"]],
    ['a', '=', ['x', 'y'], ['values: Invalid value: ["x","y"]: exact-match compatibility requires one single value']],
    ['a', '!=', [], ['values: Invalid value: []: exact-match compatibility requires one single value']],
    ['a', 'exists', ['x'], ['values: Invalid value: ["x"]: values set must be empty for exists and does not exist']],
    ['a', 'gt', ['1', '2'], ["values: Invalid value: [\"1\",\"2\"]: for 'Gt', 'Lt' operators, exactly one value is required"]],
    ['a', 'lt', ['x'], ["values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer"]],
    ['a', 'like', ['x'], ['operator: Unsupported value: "like": supported values: "in", "notin", "=", "==", "!=", "gt", "lt", "exists", "!"']],
    ['a', '=', ['-x'], [`values[0][a]: Invalid value: "-x": ${VALUE}`]],
    ['a@', 'exists', [], [
      "key: Invalid value: \"a@\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    ]],
  ])('%j %s %j', (key, op, values, want) => {
    expect(validateRequirement(key, op, values).map(String)).toEqual(want);
  });

  it('prefixes fields with the given path', () => {
    expect(validateRequirement('a', 'in', [], FieldPath.of('spec', 'selector')).map(String)).toEqual([
      "spec.selector.values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty",
    ]);
  });

  it('newRequirement throws the aggregated message', () => {
    expect(() => newRequirement('a', 'in', [])).toThrow(
      new SelectorParseError("values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty"),
    );
    expect(newRequirement('a', 'in', ['y', 'x']).values).toEqual(['y', 'x']);
  });
});

describe('Requirement', () => {
  it.each<[SelectionOperator, string[], string]>([
    ['=', ['x'], 'k=x'],
    ['==', ['x'], 'k==x'],
    ['!=', ['x'], 'k!=x'],
    ['in', ['b', 'a'], 'k in (a,b)'],
    ['notin', ['x'], 'k notin (x)'],
    ['exists', [], 'k'],
    ['!', [], '!k'],
    ['gt', ['5'], 'k>5'],
    ['lt', ['5'], 'k<5'],
  ])('%s %j prints as %s', (op, values, want) => {
    expect(new Requirement('k', op, values).toString()).toBe(want);
  });

  it('does not treat inherited properties as labels', () => {
    expect(new Requirement('constructor', 'exists', []).matches({})).toBe(false);
    expect(new Requirement('hasOwnProperty', '!', []).matches({})).toBe(true);
  });
});

describe('parseInt64 (Go strconv.ParseInt)', () => {
  it.each<[string, bigint | undefined]>([
    ['42', 42n],
    ['-7', -7n],
    ['+7', 7n],
    ['9223372036854775807', 9223372036854775807n],
    ['9223372036854775808', undefined],
    ['1.5', undefined],
    ['', undefined],
    [' 1', undefined],
  ])('%j is %s', (s, want) => {
    expect(parseInt64(s)).toBe(want);
  });
});

describe('LabelSelector', () => {
  it('everything matches all, nothing matches none', () => {
    expect(LabelSelector.everything().matches({})).toBe(true);
    expect(LabelSelector.everything().isEmpty()).toBe(true);
    expect(LabelSelector.nothing().matches({})).toBe(false);
    expect(LabelSelector.nothing().isEmpty()).toBe(false);
    expect(LabelSelector.nothing().isNothing()).toBe(true);
    expect(LabelSelector.nothing().toString()).toBe('');
  });

  it('adds requirements keeping them sorted by key', () => {
    const s = LabelSelector.of([new Requirement('b', '=', ['1'])]).add(new Requirement('a', 'exists', []));
    expect(s.toString()).toBe('a,b=1');
  });

  it.each<[string, string | undefined]>([
    ['app', 'web'],
    ['tier', 'fe'],
    ['env', undefined],
    ['zone', undefined],
  ])('requiresExactMatch(%s) is %s', (key, want) => {
    const s = LabelSelector.of([
      new Requirement('app', '=', ['web']),
      new Requirement('tier', 'in', ['fe']),
      new Requirement('env', 'in', ['a', 'b']),
      new Requirement('zone', '!=', ['x']),
    ]);
    expect(s.requiresExactMatch(key)).toBe(want);
  });

  it('builds selectors from label sets', () => {
    expect(selectorFromSet({ tier: 'fe', app: 'web' }).toString()).toBe('app=web,tier=fe');
    expect(selectorFromSet({ app: 'web' }).matches({ app: 'web', x: 'y' })).toBe(true);
    expect(selectorFromSet(undefined).isEmpty()).toBe(true);
    expect(() => validatedSelectorFromSet({ app: '-bad' })).toThrow(`values[0][app]: Invalid value: "-bad": ${VALUE}`);
  });
});
