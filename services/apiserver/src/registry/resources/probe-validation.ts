import { FieldError, FieldPath, forbidden, invalid, notSupported, regexError, required, validatePortNumOrName } from '@kubelab/apimachinery';
import { int, isSet, list, record, records, text, type JsonRecord } from './loose-json';

/**
 * Probes and lifecycle hooks, as Kubernetes 1.32 validates them (validateProbe, validateHandler,
 * validateLifecycle, validateSleepAction in pkg/apis/core/validation): exactly one handler, each
 * handler's own fields, the probe's numbers.
 */

/** A probe's handler kinds and a lifecycle hook's, each in the order Kubernetes checks them. */
const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'] as const;
const HOOK_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'sleep'] as const;
type HandlerKind = (typeof PROBE_HANDLERS)[number] | (typeof HOOK_HANDLERS)[number];

const HTTP_SCHEMES = ['HTTP', 'HTTPS'];
const HTTP_HEADER_NAME_FMT = '[-A-Za-z0-9]+';
const HTTP_HEADER_NAME_RE = new RegExp(`^${HTTP_HEADER_NAME_FMT}$`);

/** The pod's terminationGracePeriodSeconds, which bounds a sleep hook (undefined: not set, nothing to check against). */
export type GracePeriod = number | undefined;

/** A port given as a number or a name: a Go IntOrString, which is the int 0 when absent. */
function portNumOrName(port: unknown, path: FieldPath): FieldError[] {
  return validatePortNumOrName(path, typeof port === 'string' ? port : int(port));
}

function validateHandlerAction(kind: HandlerKind, action: JsonRecord, grace: GracePeriod, path: FieldPath): FieldError[] {
  switch (kind) {
    case 'exec':
      return list(action.command).length === 0 ? [required(path.child('command'))] : [];
    case 'httpGet': {
      const errors: FieldError[] = [];
      if (text(action.path) === '') errors.push(required(path.child('path')));
      errors.push(...portNumOrName(action.port, path.child('port')));
      const scheme = text(action.scheme);
      if (!HTTP_SCHEMES.includes(scheme)) errors.push(notSupported(path.child('scheme'), scheme, HTTP_SCHEMES));
      for (const header of records(action.httpHeaders)) {
        const name = text(header.name);
        if (!HTTP_HEADER_NAME_RE.test(name)) {
          errors.push(invalid(path.child('httpHeaders'), name, regexError("a valid HTTP header must consist of alphanumeric characters or '-'", HTTP_HEADER_NAME_FMT, 'X-Header-Name')));
        }
      }
      return errors;
    }
    case 'tcpSocket':
      return portNumOrName(action.port, path.child('port'));
    case 'grpc':
      return validatePortNumOrName(path.child('port'), int(action.port));
    case 'sleep':
      return validateSleepAction(int(action.seconds), grace, path);
  }
}

/**
 * A sleep hook's seconds, above 0 and at most the grace period. 1.32 has
 * PodLifecycleSleepActionAllowZero off (alpha), so 0 is refused with the gate's hint.
 */
function validateSleepAction(seconds: number, grace: GracePeriod, path: FieldPath): FieldError[] {
  if (grace === undefined || (seconds > 0 && seconds <= grace)) return [];
  return [invalid(path, seconds, `must be greater than 0 and less than terminationGracePeriodSeconds (${grace}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`)];
}

/**
 * One handler and no more: the first kind set is validated, each further one is
 * `Forbidden: may not specify more than 1 handler type`, none is
 * `Required value: must specify a handler type`.
 */
function validateHandler(handler: JsonRecord, kinds: readonly HandlerKind[], grace: GracePeriod, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  let count = 0;
  for (const kind of kinds) {
    if (!isSet(handler[kind])) continue;
    if (count > 0) {
      errors.push(forbidden(path.child(kind), 'may not specify more than 1 handler type'));
      continue;
    }
    count++;
    errors.push(...validateHandlerAction(kind, record(handler[kind]) ?? {}, grace, path.child(kind)));
  }
  if (count === 0) errors.push(required(path, 'must specify a handler type'));
  return errors;
}

function nonNegative(value: unknown, path: FieldPath): FieldError[] {
  const n = int(value);
  return n < 0 ? [invalid(path, n, 'must be greater than or equal to 0')] : [];
}

function validateProbe(probe: JsonRecord, grace: GracePeriod, path: FieldPath): FieldError[] {
  const errors = validateHandler(probe, PROBE_HANDLERS, grace, path);
  for (const field of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    errors.push(...nonNegative(probe[field], path.child(field)));
  }
  if (isSet(probe.terminationGracePeriodSeconds) && int(probe.terminationGracePeriodSeconds) <= 0) {
    errors.push(invalid(path.child('terminationGracePeriodSeconds'), int(probe.terminationGracePeriodSeconds), 'must be greater than 0'));
  }
  return errors;
}

export type ProbeKind = 'livenessProbe' | 'readinessProbe' | 'startupProbe';

/**
 * A container's probe of the given kind (nothing when unset): a liveness or startup probe's
 * successThreshold must be 1, a readiness probe may not set terminationGracePeriodSeconds.
 */
export function validateContainerProbe(kind: ProbeKind, value: unknown, grace: GracePeriod, path: FieldPath): FieldError[] {
  if (!isSet(value)) return [];
  const probe = record(value) ?? {};
  const errors = validateProbe(probe, grace, path);
  if (kind === 'readinessProbe') {
    if (isSet(probe.terminationGracePeriodSeconds)) {
      errors.push(invalid(path.child('terminationGracePeriodSeconds'), int(probe.terminationGracePeriodSeconds), 'must not be set for readinessProbes'));
    }
  } else if (int(probe.successThreshold) !== 1) {
    errors.push(invalid(path.child('successThreshold'), int(probe.successThreshold), 'must be 1'));
  }
  return errors;
}

/** A container's lifecycle: its postStart and preStop hooks, each when set. */
export function validateLifecycle(lifecycle: JsonRecord, grace: GracePeriod, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  for (const hook of ['postStart', 'preStop']) {
    if (isSet(lifecycle[hook])) errors.push(...validateHandler(record(lifecycle[hook]) ?? {}, HOOK_HANDLERS, grace, path.child(hook)));
  }
  return errors;
}

/** The probes and lifecycle of a container that may have them (a regular container, a sidecar). */
export function validateProbesAndLifecycle(container: JsonRecord, grace: GracePeriod, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  if (isSet(container.lifecycle)) errors.push(...validateLifecycle(record(container.lifecycle) ?? {}, grace, path.child('lifecycle')));
  for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    errors.push(...validateContainerProbe(kind, container[kind], grace, path.child(kind)));
  }
  return errors;
}
