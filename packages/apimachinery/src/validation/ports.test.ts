import { describe, expect, it } from 'vitest';
import { FieldPath } from './field-path';
import {
  isInRange,
  isValidPortName,
  isValidPortNum,
  validateOptionalPortNumber,
  validatePortName,
  validatePortNames,
  validatePortNumber,
  validatePortNumOrName,
  validateProtocol,
} from './ports';

const port = FieldPath.of('spec', 'ports').index(0).child('port');

describe('port numbers', () => {
  it.each<[number, string[]]>([
    [1, []],
    [80, []],
    [65535, []],
    [0, ['must be between 1 and 65535, inclusive']],
    [65536, ['must be between 1 and 65535, inclusive']],
    [-1, ['must be between 1 and 65535, inclusive']],
    [8.5, ['must be between 1 and 65535, inclusive']],
  ])('%d: %j', (n, want) => {
    expect(isValidPortNum(n)).toEqual(want);
  });

  it('ranges', () => {
    expect(isInRange(30000, 30000, 32767)).toEqual([]);
    expect(isInRange(80, 30000, 32767)).toEqual(['must be between 30000 and 32767, inclusive']);
  });

  it.each<[number | undefined, string[]]>([
    [80, []],
    [0, ['spec.ports[0].port: Required value']],
    [undefined, ['spec.ports[0].port: Required value']],
    [70000, ['spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive']],
  ])('validatePortNumber(%s)', (n, want) => {
    expect(validatePortNumber(port, n).map(String)).toEqual(want);
  });

  it.each<[number | undefined, string[]]>([
    [0, []],
    [undefined, []],
    [8080, []],
    [-5, ['spec.ports[0].port: Invalid value: -5: must be between 1 and 65535, inclusive']],
  ])('validateOptionalPortNumber(%s)', (n, want) => {
    expect(validateOptionalPortNumber(port, n).map(String)).toEqual(want);
  });
});

describe('port names (IANA_SVC_NAME)', () => {
  it.each<[string, string[]]>([
    ['http', []],
    ['http-alt', []],
    ['h2c', []],
    ['a'.repeat(15), []],
    ['a'.repeat(16), ['must be no more than 15 characters']],
    ['HTTP', ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)', 'must contain at least one letter (a-z)']],
    ['8080', ['must contain at least one letter (a-z)']],
    ['web--ui', ['must not contain consecutive hyphens']],
    ['-web', ['must not begin or end with a hyphen']],
    ['web_ui', ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)']],
    ['', ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)', 'must contain at least one letter (a-z)']],
    ['--', [
      'must contain at least one letter (a-z)',
      'must not contain consecutive hyphens',
      'must not begin or end with a hyphen',
    ]],
  ])('%j: %j', (name, want) => {
    expect(isValidPortName(name)).toEqual(want);
  });

  it('reports one field error per broken rule', () => {
    expect(validatePortName(FieldPath.of('name'), '-Web').map(String)).toEqual([
      'name: Invalid value: "-Web": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'name: Invalid value: "-Web": must not begin or end with a hyphen',
    ]);
  });

  it('finds duplicate names in a list of ports', () => {
    const ports = [{ name: 'http' }, {}, { name: 'http' }, { name: 'BAD' }];
    const at = (i: number): FieldPath => FieldPath.of('spec', 'containers').index(0).child('ports').index(i);
    expect(validatePortNames(ports, at).map(String)).toEqual([
      'spec.containers[0].ports[2].name: Duplicate value: "http"',
      'spec.containers[0].ports[3].name: Invalid value: "BAD": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'spec.containers[0].ports[3].name: Invalid value: "BAD": must contain at least one letter (a-z)',
    ]);
  });

  it.each<[number | string, string[]]>([
    [8080, []],
    ['http', []],
    [0, ['targetPort: Invalid value: 0: must be between 1 and 65535, inclusive']],
    ['8080', ['targetPort: Invalid value: "8080": must contain at least one letter (a-z)']],
  ])('validatePortNumOrName(%j)', (p, want) => {
    expect(validatePortNumOrName(FieldPath.of('targetPort'), p).map(String)).toEqual(want);
  });
});

describe('protocols', () => {
  it.each<[string | undefined, string[]]>([
    ['TCP', []],
    ['UDP', []],
    ['SCTP', []],
    ['', ['spec.ports[0].protocol: Required value']],
    [undefined, ['spec.ports[0].protocol: Required value']],
    ['HTTP', ['spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"']],
    ['tcp', ['spec.ports[0].protocol: Unsupported value: "tcp": supported values: "SCTP", "TCP", "UDP"']],
  ])('%j', (protocol, want) => {
    expect(validateProtocol(FieldPath.of('spec', 'ports').index(0).child('protocol'), protocol).map(String)).toEqual(want);
  });
});
