import { describe, expect, it } from 'vitest';
import { FieldPath } from './field-path';
import { SelectorParseError } from './label-selector';
import {
  formatLabelSelector,
  labelSelectorAsSelector,
  matchesLabelSelector,
  parseToLabelSelector,
  validateLabelSelector,
  type LabelSelectorObject,
} from './label-selector-object';

/** What `kubectl set selector` printed for the parsed object (the Go formatting of it). */
function asKubectlSetSelector(selector: string): string {
  let ls: LabelSelectorObject;
  try {
    ls = parseToLabelSelector(selector);
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
  const exprs = ls.matchExpressions ?? [];
  if (exprs.length > 0) {
    const items = exprs.map((e) => `{${e.key} ${e.operator} [${(e.values ?? []).join(' ')}]}`).join(' ');
    return `error: match expression [${items}] not supported on this object`;
  }
  return JSON.stringify(ls.matchLabels);
}

describe('parseToLabelSelector', () => {
  // kubectl v1.32 `set selector --local` output for each selector: matchLabels as JSON, or the
  // matchExpressions it refused to set on a Service, or its error.
  it.each([
    ["a=b", "{\"a\":\"b\"}"],
    ["a==b", "{\"a\":\"b\"}"],
    ["a!=b", "error: \"!=\" is not a valid label selector operator"],
    ["a in (x,y)", "error: match expression [{a In [x y]}] not supported on this object"],
    ["a notin (x)", "error: match expression [{a NotIn [x]}] not supported on this object"],
    ["a", "error: match expression [{a Exists []}] not supported on this object"],
    ["!a", "error: match expression [{a DoesNotExist []}] not supported on this object"],
    ["a,b", "error: match expression [{a Exists []} {b Exists []}] not supported on this object"],
    ["a=b,c!=d", "error: \"!=\" is not a valid label selector operator"],
    ["a in (x, y)", "error: match expression [{a In [x y]}] not supported on this object"],
    ["a in (x,,y)", "error: match expression [{a In [ x y]}] not supported on this object"],
    ["a in (,)", "error: match expression [{a In []}] not supported on this object"],
    ["a in (,x)", "error: match expression [{a In [ x]}] not supported on this object"],
    ["a in ()", "error: match expression [{a In []}] not supported on this object"],
    ["a>1", "error: \"gt\" isn't supported in label selectors"],
    ["a<5", "error: \"lt\" isn't supported in label selectors"],
    ["a==", "{\"a\":\"\"}"],
    ["!a,b", "error: match expression [{a DoesNotExist []} {b Exists []}] not supported on this object"],
    ["in", "error: match expression [{in Exists []}] not supported on this object"],
    ["in in (in)", "error: match expression [{in In [in]}] not supported on this object"],
    ["notin=in", "{\"notin\":\"in\"}"],
    ["a in (notin)", "error: match expression [{a In [notin]}] not supported on this object"],
    ["a ==b", "{\"a\":\"b\"}"],
    ["a.b/c-d=e_f", "{\"a.b/c-d\":\"e_f\"}"],
    [" a = b , c in ( d ) ", "error: match expression [{c In [d]}] not supported on this object"],    ['a=b=c', 'error: couldn\'t parse the selector string "a=b=c": found \'=\', expected: \',\' or \'end of string\''],
  ])('%j gives %j', (selector, want) => {
    expect(asKubectlSetSelector(selector)).toBe(want);
  });
});

describe('validateLabelSelector', () => {
  const path = FieldPath.of('spec', 'selector');
  it.each<[string, LabelSelectorObject | null, string[]]>([
    ['null', null, []],
    ['a good one', { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe'] }] }, []],
    ['In without values', { matchExpressions: [{ key: 'tier', operator: 'In' }] },
      ["spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"]],
    ['Exists with values', { matchExpressions: [{ key: 'tier', operator: 'Exists', values: ['x'] }] },
      ["spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"]],
    ['an unknown operator', { matchExpressions: [{ key: 'tier', operator: 'Equals', values: ['x'] }] },
      ['spec.selector.matchExpressions[0].operator: Invalid value: "Equals": not a valid selector operator']],
    ['a bad key', { matchExpressions: [{ key: '/x', operator: 'Exists' }] },
      ['spec.selector.matchExpressions[0].key: Invalid value: "/x": prefix part must be non-empty']],
    ['a bad value', { matchExpressions: [{ key: 'a', operator: 'In', values: ['ok', '-x'] }] },
      ["spec.selector.matchExpressions[0].values[1]: Invalid value: \"-x\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"]],
    ['a bad matchLabels key', { matchLabels: { '/x': 'y' } },
      ['spec.selector.matchLabels: Invalid value: "/x": prefix part must be non-empty']],
  ])('%s', (_what, ps, want) => {
    expect(validateLabelSelector(ps, path).map(String)).toEqual(want);
  });

  it('can skip value checks', () => {
    const ps = { matchExpressions: [{ key: 'a', operator: 'In', values: ['-x'] }] };
    expect(validateLabelSelector(ps, path, { allowInvalidLabelValueInSelector: true })).toEqual([]);
  });
});

describe('labelSelectorAsSelector and matching', () => {
  it.each<[string, LabelSelectorObject | null | undefined, string]>([
    ['null matches nothing', null, ''],
    ['empty matches everything', {}, ''],
    ['labels and expressions', {
      matchLabels: { app: 'web' },
      matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db', 'cache'] }, { key: 'canary', operator: 'DoesNotExist' }],
    }, 'app=web,!canary,tier notin (cache,db)'],
  ])('%s', (_what, ps, want) => {
    expect(labelSelectorAsSelector(ps).toString()).toBe(want);
  });

  it.each<[LabelSelectorObject | null, Record<string, string>, boolean]>([
    [null, { app: 'web' }, false],
    [{}, { app: 'web' }, true],
    [{ matchLabels: { app: 'web' } }, { app: 'web', pod: 'x' }, true],
    [{ matchLabels: { app: 'web' } }, { app: 'db' }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe', 'be'] }] }, { tier: 'be' }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, {}, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'Bogus' }] }, {}, false],
  ])('%j on %j: %s', (ps, labels, want) => {
    expect(matchesLabelSelector(ps, labels)).toBe(want);
  });

  it('rejects unknown operators with Kubernetes\' words', () => {
    expect(() => labelSelectorAsSelector({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] })).toThrow(
      new SelectorParseError('"Gt" is not a valid label selector operator'),
    );
    expect(() => labelSelectorAsSelector({ matchExpressions: [{ key: 'a', operator: 'In' }] })).toThrow(
      "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty",
    );
  });

  it.each<[LabelSelectorObject | null, string]>([
    [{ matchLabels: { app: 'web' } }, 'app=web'],
    [{}, '<none>'],
    [null, '<none>'],
    [{ matchExpressions: [{ key: 'a', operator: 'In' }] }, '<error>'],
  ])('kubectl describe shows %j as %s', (ps, want) => {
    expect(formatLabelSelector(ps)).toBe(want);
  });
});
