import { FieldPath } from '@kubelab/apimachinery';
import { describe, expect, it } from 'vitest';
import { validateEnv, validateEnvFrom } from './env-validation';
import { defaultPodSpec } from './pod-spec';

const env = FieldPath.of('spec', 'containers').index(0).child('env');
const e0 = 'spec.containers[0].env[0]';

/** The env as a pod spec's defaults leave it (a fieldRef gets apiVersion v1), validated. */
function envErrors(vars: unknown[]): string[] {
  const spec: Record<string, unknown> = { containers: [{ name: 'app', image: 'nginx', env: vars }] };
  defaultPodSpec(spec);
  return validateEnv((spec.containers as Array<{ env: unknown }>)[0]!.env, env).map(String);
}

const SUBDOMAIN_ERR =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

describe('env (ValidateEnv, validateEnvVarValueFrom)', () => {
  it.each<[string, unknown[], string[]]>([
    ['plain values', [{ name: 'GREETING', value: 'hello' }, { name: 'EMPTY' }], []],
    // RelaxedEnvironmentVariableValidation is on in 1.32: dots, dashes, a leading digit are fine.
    ['relaxed names', [{ name: '1st.var-name' }, { name: 'with space' }, { name: 'a:b' }], []],
    ['no name', [{ value: 'x' }], [`${e0}.name: Required value`]],
    ['an = in the name', [{ name: 'A=B' }], [`${e0}.name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`]],
    ['a non-ASCII name', [{ name: 'café' }], [`${e0}.name: Invalid value: "café": a valid environment variable name must consist only of printable ASCII characters other than '='`]],
    ['a tab in the name', [{ name: 'A\tB' }], [`${e0}.name: Invalid value: "A\\tB": a valid environment variable name must consist only of printable ASCII characters other than '='`]],
    ['a fieldRef', [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }], []],
    ['a fieldRef by the old spec.host', [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.host' } } }], []],
    ['a label by subscript', [{ name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } }], []],
    ['a resourceFieldRef', [{ name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } }], []],
    ['a configMapKeyRef', [{ name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'log.level' } } }], []],
    ['a secretKeyRef', [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password', optional: true } } }], []],
    ['an empty valueFrom', [{ name: 'X', valueFrom: {} }], [`${e0}.valueFrom: Invalid value: "": must specify one of: \`fieldRef\`, \`resourceFieldRef\`, \`configMapKeyRef\` or \`secretKeyRef\``]],
    [
      'two sources',
      [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'a', key: 'k' }, secretKeyRef: { name: 'b', key: 'k' } } }],
      [`${e0}.valueFrom: Invalid value: "": may not have more than one field specified at a time`],
    ],
    [
      'a value and a valueFrom',
      [{ name: 'X', value: 'v', valueFrom: { secretKeyRef: { name: 'b', key: 'k' } } }],
      [`${e0}.valueFrom: Invalid value: "": may not be specified when \`value\` is not empty`],
    ],
    [
      'a fieldRef to a field env cannot take',
      [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'metadata.labels' } } }],
      [
        `${e0}.valueFrom.fieldRef.fieldPath: Unsupported value: "metadata.labels": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"`,
      ],
    ],
    [
      'a fieldRef to no field at all',
      [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'metadata.nmae' } } }],
      [`${e0}.valueFrom.fieldRef.fieldPath: Invalid value: "metadata.nmae": error converting fieldPath: field label not supported: metadata.nmae`],
    ],
    [
      'a subscript on a field without keys',
      [{ name: 'X', valueFrom: { fieldRef: { fieldPath: "spec.nodeName['a']" } } }],
      [`${e0}.valueFrom.fieldRef.fieldPath: Invalid value: "spec.nodeName['a']": error converting fieldPath: field label does not support subscript: spec.nodeName['a']`],
    ],
    [
      'a fieldRef of another apiVersion',
      [{ name: 'X', valueFrom: { fieldRef: { apiVersion: 'v2', fieldPath: 'metadata.name' } } }],
      [`${e0}.valueFrom.fieldRef.fieldPath: Invalid value: "metadata.name": error converting fieldPath: unsupported pod version: v2`],
    ],
    ['a fieldRef without fieldPath', [{ name: 'X', valueFrom: { fieldRef: {} } }], [`${e0}.valueFrom.fieldRef.fieldPath: Required value`]],
    [
      'a bad label key by subscript',
      [{ name: 'X', valueFrom: { fieldRef: { fieldPath: "metadata.labels['-app']" } } }],
      [
        `${e0}.valueFrom.fieldRef: Invalid value: "-app": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
      ],
    ],
    [
      'an unknown resource',
      [{ name: 'X', valueFrom: { resourceFieldRef: { resource: 'limits.gpu' } } }],
      [
        `${e0}.valueFrom.resourceFieldRef.resource: Unsupported value: "limits.gpu": supported values: "limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage", "requests.memory"`,
      ],
    ],
    ['hugepages by prefix', [{ name: 'X', valueFrom: { resourceFieldRef: { resource: 'limits.hugepages-2Mi' } } }], []],
    ['no resource', [{ name: 'X', valueFrom: { resourceFieldRef: {} } }], [`${e0}.valueFrom.resourceFieldRef.resource: Required value`]],
    [
      'a cpu divisor that is not 1 or 1m',
      [{ name: 'X', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '10m' } } }],
      [`${e0}.valueFrom.resourceFieldRef.divisor: Invalid value: "requests.cpu": only divisor's values 1m and 1 are supported with the cpu resource`],
    ],
    [
      'a memory divisor that is not a unit',
      [{ name: 'X', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '2Mi' } } }],
      [`${e0}.valueFrom.resourceFieldRef.divisor: Invalid value: "limits.memory": only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the memory resource`],
    ],
    [
      'a configMapKeyRef without name or key',
      [{ name: 'X', valueFrom: { configMapKeyRef: {} } }],
      [`${e0}.valueFrom.configMapKeyRef.name: Invalid value: "": ${SUBDOMAIN_ERR}`, `${e0}.valueFrom.configMapKeyRef.key: Required value`],
    ],
    [
      'a secretKeyRef with a bad name and key',
      [{ name: 'X', valueFrom: { secretKeyRef: { name: 'My_Secret', key: 'a/b' } } }],
      [
        `${e0}.valueFrom.secretKeyRef.name: Invalid value: "My_Secret": ${SUBDOMAIN_ERR}`,
        `${e0}.valueFrom.secretKeyRef.key: Invalid value: "a/b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
      ],
    ],
    ['a key of ..', [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: '..' } } }], [`${e0}.valueFrom.secretKeyRef.key: Invalid value: "..": must not be '..'`]],
  ])('%s', (_name, vars, want) => {
    expect(envErrors(vars)).toEqual(want);
  });
});

describe('envFrom (ValidateEnvFrom)', () => {
  const envFrom = FieldPath.of('spec', 'containers').index(0).child('envFrom');
  it.each<[string, unknown[], string[]]>([
    ['a configMapRef', [{ configMapRef: { name: 'app-config' } }], []],
    ['a secretRef with a prefix', [{ prefix: 'DB_', secretRef: { name: 'db' } }], []],
    ['neither', [{ prefix: 'X_' }], ['spec.containers[0].envFrom: Invalid value: "": must specify one of: `configMapRef` or `secretRef`']],
    ['both', [{ configMapRef: { name: 'a' }, secretRef: { name: 'b' } }], ['spec.containers[0].envFrom: Invalid value: "": may not have more than one field specified at a time']],
    ['no name', [{ configMapRef: {} }], ['spec.containers[0].envFrom[0].configMapRef.name: Required value']],
    ['a bad prefix', [{ prefix: 'A=', configMapRef: { name: 'a' } }], [`spec.containers[0].envFrom[0].prefix: Invalid value: "A=": a valid environment variable name must consist only of printable ASCII characters other than '='`]],
  ])('%s', (_name, sources, want) => {
    expect(validateEnvFrom(sources, envFrom).map(String)).toEqual(want);
  });
});
