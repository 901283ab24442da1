import { describe, expect, it } from 'vitest';
import { FieldPath } from './field-path';
import { SelectorParseError } from './label-selector';
import { parseLabelRequirements, parseLabelSelector } from './label-selector-parser';

describe('parseLabelSelector errors', () => {
  // Every message is what kubectl v1.32 printed for the selector (after its
  // `couldn't parse the selector string "...": ` prefix), from the same parser.
  it.each([
    ["a in (x y)", "unable to parse requirement: found 'y', expected: ',' or ')'"],
    ["a in (x,=)", "unable to parse requirement: found '=', expected: ',', or identifier"],
    ["a in x", "unable to parse requirement: found 'x' expected: '('"],
    ["a in (x", "unable to parse requirement: found '', expected: ',' or ')'"],
    ["a notin", "unable to parse requirement: found '' expected: '('"],
    ["a,", "found '', expected: identifier after ','"],
    ["a,,b", "found ',', expected: identifier after ','"],
    ["a=b=c", "found '=', expected: ',' or 'end of string'"],
    ["a=bad value", "found 'value', expected: ',' or 'end of string'"],
    ["a<b", "unable to parse requirement: values[0]: Invalid value: \"b\": for 'Gt', 'Lt' operators, the value must be an integer"],
    ["a>-1", "unable to parse requirement: values[0][a]: Invalid value: \"-1\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"],
    ["a=(", "unable to parse requirement: found '(', expected: identifier"],
    ["!", "unable to parse requirement: found '', expected: identifier"],
    ["!a=b", "found '=', expected: ',' or 'end of string'"],
    ["=b", "found '=', expected: !, identifier, or 'end of string'"],
    [",a", "found ',', expected: !, identifier, or 'end of string'"],
    ["a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ["a=!", "unable to parse requirement: found '!', expected: identifier"],
    ["a!==b", "unable to parse requirement: found '=', expected: identifier"],
    ["x/=1", "unable to parse requirement: <nil>: Invalid value: \"x/\": name part must be non-empty; name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"],
    ["/x=1", "unable to parse requirement: <nil>: Invalid value: \"/x\": prefix part must be non-empty"],
    ["a/b/c=1", "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"],
    ["Example.com/x=1", "unable to parse requirement: <nil>: Invalid value: \"Example.com/x\": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"],
    ["a_/b=1", "unable to parse requirement: <nil>: Invalid value: \"a_/b\": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"],
    ["a@=1", "unable to parse requirement: <nil>: Invalid value: \"a@\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"],
    ["a=-bad-", "unable to parse requirement: values[0][a]: Invalid value: \"-bad-\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"],
    ["a in (x,-y)", "unable to parse requirement: values[0][a]: Invalid value: \"-y\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"],
    ["a=b,", "found '', expected: identifier after ','"],
    ["(a)", "found '(', expected: !, identifier, or 'end of string'"],
    ["a)", "unable to parse requirement: found ')', expected: in, notin, =, ==, !=, gt, lt"],
    ["a=)", "unable to parse requirement: found ')', expected: identifier"],
    ["a in ((x))", "unable to parse requirement: found '(', expected: ',', ')' or identifier"],
    ["a!", "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt"],
    ["a!b", "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt"],
    ["!!a", "unable to parse requirement: found '!', expected: identifier"],
    ["a<>b", "unable to parse requirement: found '>', expected: identifier"],  ])('%j fails with %j', (selector, message) => {
    expect(() => parseLabelSelector(selector)).toThrow(new SelectorParseError(message));
  });

  it('puts requirement errors under a given path', () => {
    expect(() => parseLabelSelector('a=-x', FieldPath.of('spec', 'selector'))).toThrow(
      /^unable to parse requirement: spec\.selector\.values\[0\]\[a\]: Invalid value: "-x": a valid label/,
    );
  });

  it('reports several errors of one requirement in brackets', () => {
    expect(() => parseLabelSelector('a<-b')).toThrow(
      "unable to parse requirement: [values[0]: Invalid value: \"-b\": for 'Gt', 'Lt' operators, the value must be an integer, " +
        "values[0][a]: Invalid value: \"-b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', " +
        "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is " +
        "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')]",
    );
  });
});

describe('parseLabelSelector results', () => {
  it.each([
    // selector, Kubernetes' string form (requirements sorted by key, set values sorted)
    ['', ''],
    ['a=b', 'a=b'],
    ['a==b', 'a==b'],
    ['a!=b', 'a!=b'],
    ['tier in (web,api)', 'tier in (api,web)'],
    ['tier notin (db)', 'tier notin (db)'],
    ['a', 'a'],
    ['!a', '!a'],
    ['z=1,a=2', 'a=2,z=1'],
    [' a = b , c in ( d ) ', 'a=b,c in (d)'],
    ['a in (x,,y)', 'a in (,x,y)'],
    ['a in ()', 'a in ()'],
    ['a==', 'a=='],
    ['a>1', 'a>1'],
    ['a<10', 'a<10'],
    ['in in (in,notin)', 'in in (in,notin)'],
    ['app.kubernetes.io/name=web', 'app.kubernetes.io/name=web'],
  ])('%j prints as %j', (selector, want) => {
    expect(parseLabelSelector(selector).toString()).toBe(want);
  });

  it.each([
    // selector, labels, matches
    ['app=web', { app: 'web' }, true],
    ['app=web', { app: 'db' }, false],
    ['app=web', {}, false],
    ['app!=web', {}, true],
    ['app!=web', { app: 'web' }, false],
    ['tier in (a,b)', { tier: 'b' }, true],
    ['tier in (a,b)', {}, false],
    ['tier notin (a,b)', {}, true],
    ['tier notin (a,b)', { tier: 'a' }, false],
    ['canary', { canary: '' }, true],
    ['!canary', { canary: 'true' }, false],
    ['!canary', {}, true],
    ['a in ()', { a: '' }, true],
    ['a==', { a: '' }, true],
    ['gen>3', { gen: '4' }, true],
    ['gen>3', { gen: '3' }, false],
    ['gen<3', { gen: '-1' }, true],
    ['gen>3', { gen: 'x' }, false],
    ['app=web,tier=fe', { app: 'web', tier: 'fe' }, true],
    ['app=web,tier=fe', { app: 'web' }, false],
    ['', { anything: 'x' }, true],
    ['toString=x', {}, false],
  ])('%j on %j matches: %s', (selector, labels, want) => {
    expect(parseLabelSelector(selector).matches(labels)).toBe(want);
  });

  it('returns requirements sorted by key, values sorted and unique', () => {
    const reqs = parseLabelRequirements('b in (z,y,z),a');
    expect(reqs.map((r) => [r.key, r.operator, r.values])).toEqual([
      ['a', 'exists', []],
      ['b', 'in', ['y', 'z']],
    ]);
  });
});
