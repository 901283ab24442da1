import { FieldPath } from '@kubelab/apimachinery';
import { describe, expect, it } from 'vitest';
import { defaultPodSpec } from './pod-spec';
import { validatePodSpec } from './pod-validation';

/** The errors of a pod whose one container has `extra`, after defaults, as kubectl prints each. */
function errorsOf(extra: Record<string, unknown>, spec: Record<string, unknown> = {}): string[] {
  const podSpec: Record<string, unknown> = { containers: [{ name: 'app', image: 'nginx:1.27', ...extra }], ...spec };
  defaultPodSpec(podSpec);
  return validatePodSpec(podSpec, FieldPath.of('spec'), { resourceIsPod: true }).map(String);
}

const c0 = 'spec.containers[0]';

describe('probes (validateProbe, validateHandler)', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ['an httpGet probe', { livenessProbe: { httpGet: { path: '/healthz', port: 8080 } } }, []],
    ['a named port', { readinessProbe: { httpGet: { port: 'http' } } }, []],
    ['a tcpSocket probe', { readinessProbe: { tcpSocket: { port: 5432 } } }, []],
    ['an exec probe', { startupProbe: { exec: { command: ['cat', '/tmp/ready'] } } }, []],
    ['a grpc probe', { livenessProbe: { grpc: { port: 9090 } } }, []],
    ['no handler', { livenessProbe: { initialDelaySeconds: 5 } }, [`${c0}.livenessProbe: Required value: must specify a handler type`]],
    [
      'two handlers',
      { readinessProbe: { httpGet: { port: 80 }, tcpSocket: { port: 80 } } },
      [`${c0}.readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type`],
    ],
    [
      'three handlers: each extra one',
      { readinessProbe: { exec: { command: ['true'] }, httpGet: { port: 80 }, grpc: { port: 80 } } },
      [`${c0}.readinessProbe.httpGet: Forbidden: may not specify more than 1 handler type`, `${c0}.readinessProbe.grpc: Forbidden: may not specify more than 1 handler type`],
    ],
    ['an exec without command', { livenessProbe: { exec: {} } }, [`${c0}.livenessProbe.exec.command: Required value`]],
    ['an httpGet without port', { livenessProbe: { httpGet: { path: '/' } } }, [`${c0}.livenessProbe.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive`]],
    ['an httpGet port out of range', { livenessProbe: { httpGet: { port: 80800 } } }, [`${c0}.livenessProbe.httpGet.port: Invalid value: 80800: must be between 1 and 65535, inclusive`]],
    [
      'an httpGet port name with a capital',
      { livenessProbe: { httpGet: { port: 'Http' } } },
      [`${c0}.livenessProbe.httpGet.port: Invalid value: "Http": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)`],
    ],
    ['a port number in quotes is a name', { readinessProbe: { tcpSocket: { port: '8080' } } }, [`${c0}.readinessProbe.tcpSocket.port: Invalid value: "8080": must contain at least one letter (a-z)`]],
    [
      'an httpGet scheme in lower case',
      { livenessProbe: { httpGet: { port: 80, scheme: 'https' } } },
      [`${c0}.livenessProbe.httpGet.scheme: Unsupported value: "https": supported values: "HTTP", "HTTPS"`],
    ],
    [
      'a bad header name',
      { livenessProbe: { httpGet: { port: 80, httpHeaders: [{ name: 'X Custom', value: 'a' }] } } },
      [`${c0}.livenessProbe.httpGet.httpHeaders: Invalid value: "X Custom": a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')`],
    ],
    ['a tcpSocket without port', { readinessProbe: { tcpSocket: {} } }, [`${c0}.readinessProbe.tcpSocket.port: Invalid value: 0: must be between 1 and 65535, inclusive`]],
    [
      'negative numbers',
      { readinessProbe: { tcpSocket: { port: 80 }, initialDelaySeconds: -5, timeoutSeconds: -1, periodSeconds: -10, failureThreshold: -3 } },
      [
        `${c0}.readinessProbe.initialDelaySeconds: Invalid value: -5: must be greater than or equal to 0`,
        `${c0}.readinessProbe.timeoutSeconds: Invalid value: -1: must be greater than or equal to 0`,
        `${c0}.readinessProbe.periodSeconds: Invalid value: -10: must be greater than or equal to 0`,
        `${c0}.readinessProbe.failureThreshold: Invalid value: -3: must be greater than or equal to 0`,
      ],
    ],
    ['a readiness probe may need 2 successes', { readinessProbe: { tcpSocket: { port: 80 }, successThreshold: 2 } }, []],
    ['a liveness probe needs exactly 1 success', { livenessProbe: { tcpSocket: { port: 80 }, successThreshold: 3 } }, [`${c0}.livenessProbe.successThreshold: Invalid value: 3: must be 1`]],
    ['so does a startup probe', { startupProbe: { tcpSocket: { port: 80 }, successThreshold: 2 } }, [`${c0}.startupProbe.successThreshold: Invalid value: 2: must be 1`]],
    [
      'a negative successThreshold on a liveness probe',
      { livenessProbe: { tcpSocket: { port: 80 }, successThreshold: -1 } },
      [`${c0}.livenessProbe.successThreshold: Invalid value: -1: must be greater than or equal to 0`, `${c0}.livenessProbe.successThreshold: Invalid value: -1: must be 1`],
    ],
    ['a probe terminationGracePeriodSeconds', { livenessProbe: { tcpSocket: { port: 80 }, terminationGracePeriodSeconds: 10 } }, []],
    [
      'a probe terminationGracePeriodSeconds of 0',
      { livenessProbe: { tcpSocket: { port: 80 }, terminationGracePeriodSeconds: 0 } },
      [`${c0}.livenessProbe.terminationGracePeriodSeconds: Invalid value: 0: must be greater than 0`],
    ],
    [
      'a readiness probe terminationGracePeriodSeconds',
      { readinessProbe: { tcpSocket: { port: 80 }, terminationGracePeriodSeconds: 10 } },
      [`${c0}.readinessProbe.terminationGracePeriodSeconds: Invalid value: 10: must not be set for readinessProbes`],
    ],
  ])('%s', (_name, container, want) => {
    expect(errorsOf(container)).toEqual(want);
  });
});

describe('lifecycle hooks (validateLifecycle, validateSleepAction)', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>, string[]]>([
    ['an exec preStop', { lifecycle: { preStop: { exec: { command: ['nginx', '-s', 'quit'] } } } }, {}, []],
    ['an httpGet postStart', { lifecycle: { postStart: { httpGet: { port: 8080, path: '/started' } } } }, {}, []],
    ['a sleep preStop within the grace period', { lifecycle: { preStop: { sleep: { seconds: 30 } } } }, {}, []],
    ['an empty lifecycle', { lifecycle: {} }, {}, []],
    ['a hook without handler', { lifecycle: { preStop: {} } }, {}, [`${c0}.lifecycle.preStop: Required value: must specify a handler type`]],
    [
      'a hook with two handlers',
      { lifecycle: { postStart: { exec: { command: ['true'] }, sleep: { seconds: 1 } } } },
      {},
      [`${c0}.lifecycle.postStart.sleep: Forbidden: may not specify more than 1 handler type`],
    ],
    [
      'a sleep longer than the grace period',
      { lifecycle: { preStop: { sleep: { seconds: 45 } } } },
      {},
      [`${c0}.lifecycle.preStop.sleep: Invalid value: 45: must be greater than 0 and less than terminationGracePeriodSeconds (30). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`],
    ],
    [
      'a sleep of 0 (PodLifecycleSleepActionAllowZero is alpha, off, in 1.32)',
      { lifecycle: { preStop: { sleep: { seconds: 0 } } } },
      {},
      [`${c0}.lifecycle.preStop.sleep: Invalid value: 0: must be greater than 0 and less than terminationGracePeriodSeconds (30). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`],
    ],
    [
      'a sleep against the pod\'s own grace period',
      { lifecycle: { preStop: { sleep: { seconds: 10 } } } },
      { terminationGracePeriodSeconds: 5 },
      [`${c0}.lifecycle.preStop.sleep: Invalid value: 10: must be greater than 0 and less than terminationGracePeriodSeconds (5). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`],
    ],
    ['a sleep equal to the grace period', { lifecycle: { preStop: { sleep: { seconds: 5 } } } }, { terminationGracePeriodSeconds: 5 }, []],
    [
      'a grpc hook is not a hook handler',
      { lifecycle: { preStop: { grpc: { port: 80 } } } },
      {},
      [`${c0}.lifecycle.preStop: Required value: must specify a handler type`],
    ],
    [
      'an httpGet hook with a bad port',
      { lifecycle: { postStart: { httpGet: { port: 0 } } } },
      {},
      [`${c0}.lifecycle.postStart.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive`],
    ],
  ])('%s', (_name, container, spec, want) => {
    expect(errorsOf(container, spec)).toEqual(want);
  });
});
