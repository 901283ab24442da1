import { byteLength, FieldError, FieldPath, invalid, invalidEach, maxLenError, nameIsDNSSubdomain, notSupported, Quantity, regexError, required, validateLabelName } from '@kubelab/apimachinery';
import { isSet, record, records, sortedList, text, type JsonRecord } from './loose-json';

/**
 * A container's environment, as Kubernetes 1.32 validates it (ValidateEnv, validateEnvVarValueFrom,
 * ValidateEnvFrom): variable names, and where a value comes from.
 */

/**
 * RelaxedEnvironmentVariableValidation is beta, on by default, in 1.32: a name may be any
 * printable ASCII but '='.
 */
const RELAXED_ENV_NAME_ERR = "a valid environment variable name must consist only of printable ASCII characters other than '='";

function isRelaxedEnvVarName(name: string): string[] {
  for (const ch of name) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x20 || cp > 0x7e || ch === '=') return [RELAXED_ENV_NAME_ERR];
  }
  return [];
}

/** The fields a pod's env may take from the downward API (validEnvDownwardAPIFieldPathExpressions). */
const ENV_FIELD_PATHS = sortedList([
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
]);

/** What ConvertDownwardAPIFieldLabel accepts for v1 (spec.host is the old name of spec.nodeName). */
const CONVERTIBLE_FIELD_PATHS = new Set([
  'metadata.annotations',
  'metadata.labels',
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.restartPolicy',
  'spec.serviceAccountName',
  'spec.schedulerName',
  'status.phase',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
]);

/** `metadata.labels['app']` -> ['metadata.labels', 'app'] (fieldpath.SplitMaybeSubscriptedPath). */
function splitSubscript(fieldPath: string): [string, string] | undefined {
  if (!fieldPath.endsWith("']")) return undefined;
  const inner = fieldPath.slice(0, -2);
  const at = inner.indexOf("['");
  if (at <= 0) return undefined;
  return [inner.slice(0, at), inner.slice(at + 2)];
}

/** ConvertDownwardAPIFieldLabel: the internal field path, or the conversion error. */
function convertFieldLabel(apiVersion: string, label: string): { path: string } | { error: string } {
  if (apiVersion !== 'v1') return { error: `unsupported pod version: ${apiVersion}` };
  const sub = splitSubscript(label);
  if (sub) return sub[0] === 'metadata.annotations' || sub[0] === 'metadata.labels' ? { path: label } : { error: `field label does not support subscript: ${label}` };
  if (label === 'spec.host') return { path: 'spec.nodeName' };
  return CONVERTIBLE_FIELD_PATHS.has(label) ? { path: label } : { error: `field label not supported: ${label}` };
}

function validateObjectFieldSelector(ref: JsonRecord, path: FieldPath): FieldError[] {
  const apiVersion = text(ref.apiVersion);
  const fieldPath = text(ref.fieldPath);
  if (apiVersion === '') return [required(path.child('apiVersion'))];
  if (fieldPath === '') return [required(path.child('fieldPath'))];
  const converted = convertFieldLabel(apiVersion, fieldPath);
  if ('error' in converted) return [invalid(path.child('fieldPath'), fieldPath, `error converting fieldPath: ${converted.error}`)];
  const sub = splitSubscript(converted.path);
  if (sub) {
    const [field, key] = sub;
    if (field === 'metadata.annotations') return validateLabelName(key.toLowerCase(), path);
    if (field === 'metadata.labels') return validateLabelName(key, path);
    return [invalid(path, field, 'does not support subscript')];
  }
  if (!ENV_FIELD_PATHS.includes(converted.path)) return [notSupported(path.child('fieldPath'), converted.path, ENV_FIELD_PATHS)];
  return [];
}

const RESOURCE_FIELD_PATHS = sortedList(['limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage']);
const HUGEPAGES_PREFIXES = ['requests.hugepages-', 'limits.hugepages-'];
const BYTE_DIVISORS = ['1', '1k', '1M', '1G', '1T', '1P', '1E', '1Ki', '1Mi', '1Gi', '1Ti', '1Pi', '1Ei'];
const BYTE_DIVISORS_TEXT = BYTE_DIVISORS.join(', ');

/** validateContainerResourceDivisor: which divisors each resource takes. */
function validateDivisor(resource: string, divisor: unknown, path: FieldPath): FieldError[] {
  if (!isSet(divisor)) return [];
  const quantity = Quantity.tryParse(text(divisor));
  if (!quantity || quantity.isZero()) return [];
  const canonical = quantity.toString();
  const errors: FieldError[] = [];
  const at = path.child('divisor');
  switch (resource) {
    case 'limits.cpu':
    case 'requests.cpu':
      if (!['1m', '1'].includes(canonical)) errors.push(invalid(at, resource, "only divisor's values 1m and 1 are supported with the cpu resource"));
      break;
    case 'limits.memory':
    case 'requests.memory':
      if (!BYTE_DIVISORS.includes(canonical)) errors.push(invalid(at, resource, `only divisor's values ${BYTE_DIVISORS_TEXT} are supported with the memory resource`));
      break;
    case 'limits.ephemeral-storage':
    case 'requests.ephemeral-storage':
      if (!BYTE_DIVISORS.includes(canonical)) errors.push(invalid(at, resource, `only divisor's values ${BYTE_DIVISORS_TEXT} are supported with the local ephemeral storage resource`));
      break;
  }
  if (HUGEPAGES_PREFIXES.some((p) => resource.startsWith(p)) && !BYTE_DIVISORS.includes(canonical)) {
    errors.push(invalid(at, resource, `only divisor's values ${BYTE_DIVISORS_TEXT} are supported with the hugepages resource`));
  }
  return errors;
}

function validateResourceFieldSelector(ref: JsonRecord, path: FieldPath): FieldError[] {
  const resource = text(ref.resource);
  const errors: FieldError[] = [];
  if (resource === '') errors.push(required(path.child('resource')));
  else if (!RESOURCE_FIELD_PATHS.includes(resource) && !HUGEPAGES_PREFIXES.some((p) => resource.startsWith(p))) {
    errors.push(notSupported(path.child('resource'), resource, RESOURCE_FIELD_PATHS));
  }
  errors.push(...validateDivisor(resource, ref.divisor, path));
  return errors;
}

const CONFIG_KEY_FMT = '[-._a-zA-Z0-9]+';
const CONFIG_KEY_RE = new RegExp(`^${CONFIG_KEY_FMT}$`);

/** IsConfigMapKey: a ConfigMap's or Secret's key. */
function isConfigMapKey(key: string): string[] {
  const errs: string[] = [];
  if (byteLength(key) > 253) errs.push(maxLenError(253));
  if (!CONFIG_KEY_RE.test(key)) errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", CONFIG_KEY_FMT, 'key.name', 'KEY_NAME', 'key-name'));
  if (key === '.') errs.push("must not be '.'");
  else if (key === '..') errs.push("must not be '..'");
  else if (key.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

/** A configMapKeyRef or secretKeyRef: the object's name (a DNS subdomain, even when empty) and a key. */
function validateKeySelector(ref: JsonRecord, path: FieldPath): FieldError[] {
  const name = text(ref.name);
  const key = text(ref.key);
  const errors = invalidEach(path.child('name'), name, nameIsDNSSubdomain(name, false));
  if (key === '') errors.push(required(path.child('key')));
  else errors.push(...invalidEach(path.child('key'), key, isConfigMapKey(key)));
  return errors;
}

function validateEnvVarValueFrom(env: JsonRecord, path: FieldPath): FieldError[] {
  if (!isSet(env.valueFrom)) return [];
  const from = record(env.valueFrom) ?? {};
  const errors: FieldError[] = [];
  let sources = 0;
  if (isSet(from.fieldRef)) {
    sources++;
    errors.push(...validateObjectFieldSelector(record(from.fieldRef) ?? {}, path.child('fieldRef')));
  }
  if (isSet(from.resourceFieldRef)) {
    sources++;
    errors.push(...validateResourceFieldSelector(record(from.resourceFieldRef) ?? {}, path.child('resourceFieldRef')));
  }
  if (isSet(from.configMapKeyRef)) {
    sources++;
    errors.push(...validateKeySelector(record(from.configMapKeyRef) ?? {}, path.child('configMapKeyRef')));
  }
  if (isSet(from.secretKeyRef)) {
    sources++;
    errors.push(...validateKeySelector(record(from.secretKeyRef) ?? {}, path.child('secretKeyRef')));
  }
  if (sources === 0) errors.push(invalid(path, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  else if (text(env.value) !== '') errors.push(invalid(path, '', 'may not be specified when `value` is not empty'));
  else if (sources > 1) errors.push(invalid(path, '', 'may not have more than one field specified at a time'));
  return errors;
}

/** A container's `env`: each name, and its valueFrom. */
export function validateEnv(env: unknown, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  records(env).forEach((variable, i) => {
    const at = path.index(i);
    const name = text(variable.name);
    if (name === '') errors.push(required(at.child('name')));
    else errors.push(...invalidEach(at.child('name'), name, isRelaxedEnvVarName(name)));
    errors.push(...validateEnvVarValueFrom(variable, at.child('valueFrom')));
  });
  return errors;
}

function validateEnvFromRef(ref: JsonRecord, path: FieldPath): FieldError[] {
  const name = text(ref.name);
  if (name === '') return [required(path.child('name'))];
  return invalidEach(path.child('name'), name, nameIsDNSSubdomain(name, true));
}

/** A container's `envFrom`: a prefix, and exactly one of configMapRef and secretRef. */
export function validateEnvFrom(envFrom: unknown, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  records(envFrom).forEach((source, i) => {
    const at = path.index(i);
    const prefix = text(source.prefix);
    if (prefix !== '') errors.push(...invalidEach(at.child('prefix'), prefix, isRelaxedEnvVarName(prefix)));
    let sources = 0;
    if (isSet(source.configMapRef)) {
      sources++;
      errors.push(...validateEnvFromRef(record(source.configMapRef) ?? {}, at.child('configMapRef')));
    }
    if (isSet(source.secretRef)) {
      sources++;
      errors.push(...validateEnvFromRef(record(source.secretRef) ?? {}, at.child('secretRef')));
    }
    // Kubernetes reports these at the list's path, not the item's.
    if (sources === 0) errors.push(invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (sources > 1) errors.push(invalid(path, '', 'may not have more than one field specified at a time'));
  });
  return errors;
}
