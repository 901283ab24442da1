import { describe, expect, it } from 'vitest';
import { FieldPath } from './field-path';
import {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isValidPathSegmentName,
  isValidPathSegmentPrefix,
  nameIsDNS1035Label,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  nameIsPathSegment,
  validateObjectName,
} from './names';

const SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035 =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

describe('isDNS1123Subdomain (most object names)', () => {
  it.each(['a', 'example.com', 'my-app-1', '0', 'a.b.c', 'x'.repeat(253)])('accepts %j', (name) => {
    expect(isDNS1123Subdomain(name)).toEqual([]);
  });

  it.each<[string, string[]]>([
    ['Bad_Name', [SUBDOMAIN]],
    ['', [SUBDOMAIN]],
    ['-a', [SUBDOMAIN]],
    ['a.', [SUBDOMAIN]],
    ['a..b', [SUBDOMAIN]],
    ['x'.repeat(254), ['must be no more than 253 characters']],
    ['X'.repeat(254), ['must be no more than 253 characters', SUBDOMAIN]],
  ])('rejects %j', (name, want) => {
    expect(isDNS1123Subdomain(name)).toEqual(want);
  });
});

describe('isDNS1123Label (namespaces)', () => {
  it.each(['default', 'kube-system', '1abc', 'a'.repeat(63)])('accepts %j', (name) => {
    expect(isDNS1123Label(name)).toEqual([]);
  });

  it.each<[string, string[]]>([
    ['a.b', [LABEL]],
    ['My-Ns', [LABEL]],
    ['ns-', [LABEL]],
    ['a'.repeat(64), ['must be no more than 63 characters']],
    ['-'.repeat(64), ['must be no more than 63 characters', LABEL]],
  ])('rejects %j', (name, want) => {
    expect(isDNS1123Label(name)).toEqual(want);
  });
});

describe('isDNS1035Label (Service names)', () => {
  it.each(['web', 'my-svc', 'a1', 'a'.repeat(63)])('accepts %j', (name) => {
    expect(isDNS1035Label(name)).toEqual([]);
  });

  it.each<[string, string[]]>([
    ['1web', [DNS1035]],
    ['no-domain.com', [DNS1035]],
    ['Web', [DNS1035]],
    ['a'.repeat(64), ['must be no more than 63 characters']],
  ])('rejects %j', (name, want) => {
    expect(isDNS1035Label(name)).toEqual(want);
  });
});

describe('path segment names', () => {
  it.each<[string, string[]]>([
    ['system:admin', []],
    ['.', ["may not be '.'"]],
    ['..', ["may not be '..'"]],
    ['a/b', ["may not contain '/'"]],
    ['a%b/c', ["may not contain '/'", "may not contain '%'"]],
  ])('%j', (name, want) => {
    expect(isValidPathSegmentName(name)).toEqual(want);
  });

  it('allows . and .. as a prefix', () => {
    expect(isValidPathSegmentPrefix('..')).toEqual([]);
    expect(nameIsPathSegment('..', true)).toEqual([]);
    expect(nameIsPathSegment('..', false)).toEqual(["may not be '..'"]);
  });
});

describe('name validators for generateName prefixes', () => {
  it.each([
    [nameIsDNSSubdomain, 'web-'],
    [nameIsDNSLabel, 'web-'],
    [nameIsDNS1035Label, 'web-'],
  ])('accept a prefix ending in -', (fn, prefix) => {
    expect(fn(prefix, true)).toEqual([]);
    expect(fn(prefix, false)).not.toEqual([]);
  });
});

describe('validateObjectName', () => {
  const meta = FieldPath.of('metadata');
  it.each<[string, { name?: string; generateName?: string }, string[]]>([
    ['a good name', { name: 'web' }, []],
    ['no name', {}, ['metadata.name: Required value: name or generateName is required']],
    ['a bad name', { name: 'Bad_Name' }, [`metadata.name: Invalid value: "Bad_Name": ${SUBDOMAIN}`]],
    ['generateName only', { generateName: 'web-' }, ['metadata.name: Required value: name or generateName is required']],
    ['a bad generateName', { name: 'x', generateName: 'Web-' }, [`metadata.generateName: Invalid value: "Web-": ${SUBDOMAIN}`]],
  ])('%s', (_what, m, want) => {
    expect(validateObjectName(m, nameIsDNSSubdomain, meta).map(String)).toEqual(want);
  });
});
