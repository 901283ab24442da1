import { FieldPath } from '@kubelab/apimachinery';
import { describe, expect, it } from 'vitest';
import { validateTolerations } from './toleration-validation';

const path = FieldPath.of('spec', 'tolerations');
const t0 = 'spec.tolerations[0]';

describe('tolerations (ValidateTolerations)', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ['Equal with a value', { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }, []],
    ['no operator means Equal', { key: 'dedicated', value: 'gpu' }, []],
    ['Exists without key tolerates everything', { operator: 'Exists' }, []],
    ['what the DefaultTolerationSeconds plugin adds', { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }, []],
    [
      'no key without Exists',
      { operator: 'Equal', value: 'x' },
      [`${t0}.operator: Invalid value: "Equal": operator must be Exists when \`key\` is empty, which means "match all values and all keys"`],
    ],
    [
      'an operator typo',
      { key: 'dedicated', operator: 'Exist' },
      [`${t0}.operator: Unsupported value: "Exist": supported values: "Equal", "Exists"`],
    ],
    ['Exists with a value', { key: 'dedicated', operator: 'Exists', value: 'gpu' }, [`${t0}.operator: Invalid value: "gpu": value must be empty when \`operator\` is 'Exists'`]],
    [
      'an effect typo',
      { key: 'dedicated', operator: 'Exists', effect: 'NoScheduled' },
      [`${t0}.effect: Unsupported value: "NoScheduled": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"`],
    ],
    [
      'tolerationSeconds without NoExecute',
      { key: 'dedicated', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 60 },
      [`${t0}.effect: Invalid value: "NoSchedule": effect must be 'NoExecute' when \`tolerationSeconds\` is set`],
    ],
    [
      'a bad key',
      { key: 'my key', operator: 'Exists' },
      [
        `${t0}.key: Invalid value: "my key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
      ],
    ],
    [
      'a bad value',
      { key: 'dedicated', value: 'gpu!' },
      [
        `${t0}.operator: Invalid value: "gpu!": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
      ],
    ],
  ])('%s', (_name, toleration, want) => {
    expect(validateTolerations([toleration], path).map(String)).toEqual(want);
  });
});
