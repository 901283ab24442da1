import { FieldPath } from '@kubelab/apimachinery';
import { describe, expect, it } from 'vitest';
import { defaultPodSpec } from './pod-spec';
import { validatePodSpec } from './pod-validation';

/** A pod spec's errors after defaults, as kubectl prints each. */
function errorsOf(spec: Record<string, unknown>): string[] {
  const copy = structuredClone(spec);
  defaultPodSpec(copy);
  return validatePodSpec(copy, FieldPath.of('spec'), { resourceIsPod: true }).map(String);
}

const app = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ name: 'app', image: 'nginx:1.27', ...extra });
const c0 = 'spec.containers[0]';
const LABEL_ERR =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

describe('containers (validateContainers, validateContainerCommon)', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ['one container', { containers: [app()] }, []],
    ['no containers', { containers: [] }, ['spec.containers: Required value']],
    ['no containers field', {}, ['spec.containers: Required value']],
    ['no name', { containers: [{ image: 'nginx' }] }, [`${c0}.name: Required value`]],
    ['a name with capitals', { containers: [app({ name: 'Web_App' })] }, [`${c0}.name: Invalid value: "Web_App": ${LABEL_ERR}`]],
    ['a name too long', { containers: [app({ name: 'a'.repeat(64) })] }, [`${c0}.name: Invalid value: "${'a'.repeat(64)}": must be no more than 63 characters`]],
    ['no image', { containers: [{ name: 'app' }] }, [`${c0}.image: Required value`]],
    ['an empty image', { containers: [app({ image: '' })] }, [`${c0}.image: Required value`]],
    [
      'spaces around the image (a Pod only)',
      { containers: [app({ image: ' nginx ' })] },
      [`${c0}.image: Invalid value: " nginx ": must not have leading or trailing whitespace`],
    ],
    ['the same name twice', { containers: [app(), app()] }, ['spec.containers[1].name: Duplicate value: "app"']],
    [
      'an init container named as a container',
      { initContainers: [app()], containers: [app()] },
      ['spec.initContainers[0].name: Duplicate value: "app"'],
    ],
    [
      'two init containers of one name',
      { initContainers: [app({ name: 'init' }), app({ name: 'init' })], containers: [app()] },
      ['spec.initContainers[1].name: Duplicate value: "init"'],
    ],
    [
      'an imagePullPolicy typo',
      { containers: [app({ imagePullPolicy: 'IfNotPresnt' })] },
      [`${c0}.imagePullPolicy: Unsupported value: "IfNotPresnt": supported values: "Always", "IfNotPresent", "Never"`],
    ],
    [
      'a terminationMessagePolicy typo',
      { containers: [app({ terminationMessagePolicy: 'FallbackToLogs' })] },
      [`${c0}.terminationMessagePolicy: Unsupported value: "FallbackToLogs": supported values: "File", "FallbackToLogsOnError"`],
    ],
    ['a restartPolicy on a regular container', { containers: [app({ restartPolicy: 'Always' })] }, [`${c0}.restartPolicy: Forbidden: may not be set for non-init containers`]],
    [
      'resources still checked',
      { containers: [app({ resources: { requests: { cpu: '1' }, limits: { cpu: '500m' } } })] },
      [`${c0}.resources.requests[cpu]: Invalid value: "1": must be less than or equal to cpu limit of 500m`],
    ],
  ])('%s', (_name, spec, want) => {
    expect(errorsOf(spec)).toEqual(want);
  });
});

describe('init containers (validateInitContainers)', () => {
  const i0 = 'spec.initContainers[0]';
  it.each<[string, Record<string, unknown>, string[]]>([
    ['a sidecar with a probe', { initContainers: [app({ name: 'proxy', restartPolicy: 'Always', readinessProbe: { tcpSocket: { port: 15000 } } })], containers: [app()] }, []],
    [
      'a restartPolicy other than Always',
      { initContainers: [app({ name: 'init', restartPolicy: 'OnFailure' })], containers: [app()] },
      [`${i0}.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"`],
    ],
    [
      'probes and hooks without restartPolicy Always',
      { initContainers: [app({ name: 'init', lifecycle: { preStop: { exec: { command: ['true'] } } }, livenessProbe: { tcpSocket: { port: 80 } }, startupProbe: { tcpSocket: { port: 80 } } })], containers: [app()] },
      [
        `${i0}.lifecycle: Forbidden: may not be set for init containers without restartPolicy=Always`,
        `${i0}.livenessProbe: Forbidden: may not be set for init containers without restartPolicy=Always`,
        `${i0}.startupProbe: Forbidden: may not be set for init containers without restartPolicy=Always`,
      ],
    ],
    [
      'a sidecar\'s probe is validated as a container\'s',
      { initContainers: [app({ name: 'proxy', restartPolicy: 'Always', livenessProbe: {} })], containers: [app()] },
      [`${i0}.livenessProbe: Required value: must specify a handler type`],
    ],
  ])('%s', (_name, spec, want) => {
    expect(errorsOf(spec)).toEqual(want);
  });
});

describe('container ports (validateContainerPorts, checkHostPortConflicts)', () => {
  const p = (i: number) => `${c0}.ports[${i}]`;
  it.each<[string, unknown[], string[]]>([
    ['named ports', [{ containerPort: 80, name: 'http' }, { containerPort: 53, protocol: 'UDP', name: 'dns' }], []],
    ['no containerPort', [{ name: 'http' }], [`${p(0)}.containerPort: Required value`]],
    ['a containerPort out of range', [{ containerPort: 80800 }], [`${p(0)}.containerPort: Invalid value: 80800: must be between 1 and 65535, inclusive`]],
    ['a negative containerPort', [{ containerPort: -1 }], [`${p(0)}.containerPort: Invalid value: -1: must be between 1 and 65535, inclusive`]],
    ['a hostPort out of range', [{ containerPort: 80, hostPort: 70000 }], [`${p(0)}.hostPort: Invalid value: 70000: must be between 1 and 65535, inclusive`]],
    ['a protocol in lower case', [{ containerPort: 80, protocol: 'tcp' }], [`${p(0)}.protocol: Unsupported value: "tcp": supported values: "SCTP", "TCP", "UDP"`]],
    ['a name too long', [{ containerPort: 80, name: 'http-management-port' }], [`${p(0)}.name: Invalid value: "http-management-port": must be no more than 15 characters`]],
    [
      'a name with capitals and underscores',
      [{ containerPort: 80, name: 'Web_UI' }],
      [`${p(0)}.name: Invalid value: "Web_UI": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)`],
    ],
    ['a name of digits', [{ containerPort: 80, name: '8080' }], [`${p(0)}.name: Invalid value: "8080": must contain at least one letter (a-z)`]],
    ['the same name twice', [{ containerPort: 80, name: 'http' }, { containerPort: 8080, name: 'http' }], [`${p(1)}.name: Duplicate value: "http"`]],
    ['the same host port twice', [{ containerPort: 80, hostPort: 8080 }, { containerPort: 81, hostPort: 8080 }], [`${p(1)}.hostPort: Duplicate value: "TCP//8080"`]],
    ['one host port for TCP and UDP', [{ containerPort: 53, hostPort: 53 }, { containerPort: 53, hostPort: 53, protocol: 'UDP' }], []],
  ])('%s', (_name, ports, want) => {
    expect(errorsOf({ containers: [app({ ports })] })).toEqual(want);
  });

  it('finds a host port taken by two containers of the pod', () => {
    const spec = { containers: [app({ ports: [{ containerPort: 80, hostPort: 80 }] }), app({ name: 'b', ports: [{ containerPort: 80, hostPort: 80 }] })] };
    expect(errorsOf(spec)).toEqual(['spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//80"']);
  });
});

describe('volumes and volumeMounts (ValidateVolumes names, ValidateVolumeMounts)', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ['a mount of a volume', { volumes: [{ name: 'data', emptyDir: {} }], containers: [app({ volumeMounts: [{ name: 'data', mountPath: '/data' }] })] }, []],
    [
      'a mount of a volume that is not there',
      { volumes: [{ name: 'data', emptyDir: {} }], containers: [app({ volumeMounts: [{ name: 'dta', mountPath: '/data' }] })] },
      [`${c0}.volumeMounts[0].name: Not found: "dta"`],
    ],
    [
      'a mount without name or path',
      { containers: [app({ volumeMounts: [{}] })] },
      [`${c0}.volumeMounts[0].name: Required value`, `${c0}.volumeMounts[0].name: Not found: ""`, `${c0}.volumeMounts[0].mountPath: Required value`],
    ],
    [
      'two mounts at one path',
      { volumes: [{ name: 'a', emptyDir: {} }, { name: 'b', emptyDir: {} }], containers: [app({ volumeMounts: [{ name: 'a', mountPath: '/data' }, { name: 'b', mountPath: '/data' }] })] },
      [`${c0}.volumeMounts[1].mountPath: Invalid value: "/data": must be unique`],
    ],
    [
      'a volume with a bad name, then mounted',
      { volumes: [{ name: 'Data', emptyDir: {} }], containers: [app({ volumeMounts: [{ name: 'Data', mountPath: '/data' }] })] },
      [`spec.volumes[0].name: Invalid value: "Data": ${LABEL_ERR}`, `${c0}.volumeMounts[0].name: Not found: "Data"`],
    ],
    [
      'two volumes of one name',
      { volumes: [{ name: 'data', emptyDir: {} }, { name: 'data', emptyDir: {} }], containers: [app()] },
      ['spec.volumes[1].name: Duplicate value: "data"'],
    ],
  ])('%s', (_name, spec, want) => {
    expect(errorsOf(spec)).toEqual(want);
  });
});
