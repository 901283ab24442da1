/**
 * Port numbers, port names (IANA_SVC_NAME) and protocols, with the messages
 * of k8s.io/apimachinery/pkg/util/validation and Kubernetes' core validation
 * (`spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive`).
 */
import { duplicate, notSupported, required, type FieldError } from '../errors/field-error';
import type { FieldPath } from './field-path';
import { byteLength, inclusiveRangeError, invalidEach, maxLenError } from './messages';

export const MIN_PORT = 1;
export const MAX_PORT = 65535;
/** The longest port name: IANA service names are at most 15 characters. */
export const PORT_NAME_MAX_LENGTH = 15;
/** The protocols a container or Service port may use, in the order Kubernetes lists them. */
export const SUPPORTED_PORT_PROTOCOLS: readonly string[] = ['SCTP', 'TCP', 'UDP'];

/** A port number 1-65535: `must be between 1 and 65535, inclusive` otherwise. */
export function isValidPortNum(port: number): string[] {
  return Number.isInteger(port) && port >= MIN_PORT && port <= MAX_PORT ? [] : [inclusiveRangeError(MIN_PORT, MAX_PORT)];
}

/** A number within an inclusive range. */
export function isInRange(value: number, min: number, max: number): string[] {
  return value >= min && value <= max ? [] : [inclusiveRangeError(min, max)];
}

/**
 * An IANA_SVC_NAME: at most 15 characters of [-a-z0-9], at least one letter,
 * no `--`, no leading or trailing `-`. Returns every rule broken.
 */
export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (byteLength(port) > PORT_NAME_MAX_LENGTH) errs.push(maxLenError(PORT_NAME_MAX_LENGTH));
  if (!/^[-a-z0-9]+$/.test(port)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push('must not contain consecutive hyphens');
  if (port.length > 0 && (port.startsWith('-') || port.endsWith('-'))) errs.push('must not begin or end with a hyphen');
  return errs;
}

/** A required port number field: 0 or absent is `Required value`, out of range `Invalid value: N: ...`. */
export function validatePortNumber(path: FieldPath, port: number | undefined): FieldError[] {
  if (port === undefined || port === 0) return [required(path, '')];
  return invalidEach(path, port, isValidPortNum(port));
}

/** An optional port number field (e.g. hostPort): 0 or absent is fine. */
export function validateOptionalPortNumber(path: FieldPath, port: number | undefined): FieldError[] {
  if (port === undefined || port === 0) return [];
  return invalidEach(path, port, isValidPortNum(port));
}

/** A port name; one `Invalid value` error per broken rule. */
export function validatePortName(path: FieldPath, name: string): FieldError[] {
  return invalidEach(path, name, isValidPortName(name));
}

/**
 * A port given as number or name (a Service's targetPort, a probe's port):
 * a number must be a valid port, a string a valid port name.
 */
export function validatePortNumOrName(path: FieldPath, port: number | string): FieldError[] {
  if (typeof port === 'number') return invalidEach(path, port, isValidPortNum(port));
  return invalidEach(path, port, isValidPortName(port));
}

/**
 * A protocol field: empty is `Required value`, anything but SCTP, TCP or UDP
 * `Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"`.
 */
export function validateProtocol(path: FieldPath, protocol: string | undefined): FieldError[] {
  if (!protocol) return [required(path, '')];
  if (!SUPPORTED_PORT_PROTOCOLS.includes(protocol)) return [notSupported(path, protocol, SUPPORTED_PORT_PROTOCOLS)];
  return [];
}

/**
 * The names of a list of ports (a container's ports): each must be a valid
 * IANA_SVC_NAME and unique; a repeat is `Duplicate value: "http"`.
 */
export function validatePortNames(ports: readonly { name?: string }[], pathOf: (i: number) => FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    if (!p.name) return;
    const msgs = isValidPortName(p.name);
    if (msgs.length > 0) errs.push(...invalidEach(pathOf(i).child('name'), p.name, msgs));
    else if (seen.has(p.name)) errs.push(duplicate(pathOf(i).child('name'), p.name));
    else seen.add(p.name);
  });
  return errs;
}
