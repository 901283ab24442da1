/**
 * Object name formats and their messages, as Kubernetes 1.32 words them
 * (k8s.io/apimachinery/pkg/util/validation and pkg/api/validation/path).
 *
 * Which resource uses which: most object names are DNS-1123 subdomains;
 * namespaces (and e.g. container, volume and port-mapping names) are DNS-1123
 * labels; Services are DNS-1035 labels.
 */
import { required, type FieldError } from '../errors/field-error';
import type { FieldPath } from './field-path';
import { byteLength, invalidEach, maxLenError, regexError } from './messages';

export const DNS1123_LABEL_MAX_LENGTH = 63;
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
export const DNS1035_LABEL_MAX_LENGTH = 63;

export const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
export const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
export const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';

const DNS1123_LABEL_ERR =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_ERR =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1035_LABEL_ERR =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";

const dns1123LabelRe = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const dns1123SubdomainRe = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const dns1035LabelRe = new RegExp(`^${DNS1035_LABEL_FMT}$`);

/** A DNS-1123 label (RFC 1123): what is wrong with it, empty if valid. */
export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1123_LABEL_MAX_LENGTH));
  if (!dns1123LabelRe.test(value)) errs.push(regexError(DNS1123_LABEL_ERR, DNS1123_LABEL_FMT, 'my-name', '123-abc'));
  return errs;
}

/** A DNS-1123 subdomain (RFC 1123): what is wrong with it, empty if valid. */
export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!dns1123SubdomainRe.test(value)) errs.push(regexError(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  return errs;
}

/** A DNS-1035 label (RFC 1035, must start with a letter): what is wrong with it, empty if valid. */
export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1035_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1035_LABEL_MAX_LENGTH));
  if (!dns1035LabelRe.test(value)) errs.push(regexError(DNS1035_LABEL_ERR, DNS1035_LABEL_FMT, 'my-name', 'abc-123'));
  return errs;
}

/** Names that may not be used as a URL path segment, and text they may not contain. */
export const NAME_MAY_NOT_BE: readonly string[] = ['.', '..'];
export const NAME_MAY_NOT_CONTAIN: readonly string[] = ['/', '%'];

/** A name usable as one URL path segment (the rule for e.g. RBAC objects): `may not be '..'`, `may not contain '/'`. */
export function isValidPathSegmentName(name: string): string[] {
  for (const bad of NAME_MAY_NOT_BE) {
    if (name === bad) return [`may not be '${bad}'`];
  }
  return isValidPathSegmentPrefix(name);
}

/** As {@link isValidPathSegmentName}, for a generateName prefix. */
export function isValidPathSegmentPrefix(name: string): string[] {
  return NAME_MAY_NOT_CONTAIN.filter((bad) => name.includes(bad)).map((bad) => `may not contain '${bad}'`);
}

/**
 * Validates a name or, with `prefix`, a generateName prefix (Kubernetes'
 * ValidateNameFunc). A prefix may end in '-', which is masked before checking.
 */
export type NameValidator = (name: string, prefix: boolean) => string[];

function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

/** Object names of most kinds (Pods, ConfigMaps, Deployments...). */
export const nameIsDNSSubdomain: NameValidator = (name, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);
/** Namespace names and other DNS-label names. */
export const nameIsDNSLabel: NameValidator = (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name);
/** Service names (Kubernetes 1.32 requires DNS-1035 labels for them). */
export const nameIsDNS1035Label: NameValidator = (name, prefix) => isDNS1035Label(prefix ? maskTrailingDash(name) : name);
/** Names that only have to be usable in a URL path. */
export const nameIsPathSegment: NameValidator = (name, prefix) => (prefix ? isValidPathSegmentPrefix(name) : isValidPathSegmentName(name));
/** Namespace names, as ValidateNamespaceName. */
export const validateNamespaceName: NameValidator = nameIsDNSLabel;

/**
 * The name checks of object metadata (ValidateObjectMeta): generateName
 * errors under `<path>.generateName`, a missing name as
 * `<path>.name: Required value: name or generateName is required`, a bad
 * name as `<path>.name: Invalid value: "..."`.
 */
export function validateObjectName(meta: { name?: string; generateName?: string }, nameFn: NameValidator, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (meta.generateName) {
    errs.push(...invalidEach(path.child('generateName'), meta.generateName, nameFn(meta.generateName, true)));
  }
  if (!meta.name) {
    errs.push(required(path.child('name'), 'name or generateName is required'));
  } else {
    errs.push(...invalidEach(path.child('name'), meta.name, nameFn(meta.name, false)));
  }
  return errs;
}
