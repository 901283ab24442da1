/**
 * Label keys and values and annotation keys, with Kubernetes' messages
 * (k8s.io/apimachinery/pkg/util/validation, apis/meta/v1/validation and
 * api/validation/objectmeta.go).
 */
import { tooLong, type FieldError } from '../errors/field-error';
import type { FieldPath } from './field-path';
import { byteLength, emptyError, invalidEach, maxLenError, prefixEach, regexError } from './messages';
import { isDNS1123Subdomain } from './names';

export const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
export const QUALIFIED_NAME_MAX_LENGTH = 63;
export const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
export const LABEL_VALUE_MAX_LENGTH = 63;
/** The most bytes all of an object's annotation keys and values may take together (256 KiB). */
export const TOTAL_ANNOTATION_SIZE_LIMIT_BYTES = 256 * 1024;

const QUALIFIED_NAME_ERR = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_ERR =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

const qualifiedNameRe = new RegExp(`^${QUALIFIED_NAME_FMT}$`);
const labelValueRe = new RegExp(`^${LABEL_VALUE_FMT}$`);

/**
 * A "qualified name" (label keys, annotation keys, finalizers...): an
 * optional DNS-1123 subdomain prefix and '/', then a name of at most 63
 * characters. Returns what is wrong, empty if valid.
 */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0]!;
  } else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errs.push(`prefix part ${emptyError()}`);
    else errs.push(...prefixEach(isDNS1123Subdomain(prefix), 'prefix part '));
  } else {
    return [
      `a qualified name ${regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}` +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push(`name part ${emptyError()}`);
  else if (byteLength(name) > QUALIFIED_NAME_MAX_LENGTH) errs.push(`name part ${maxLenError(QUALIFIED_NAME_MAX_LENGTH)}`);
  if (!qualifiedNameRe.test(name)) {
    errs.push(`name part ${regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  }
  return errs;
}

/** A label value: empty, or up to 63 characters of `[-A-Za-z0-9_.]` starting and ending alphanumeric. */
export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > LABEL_VALUE_MAX_LENGTH) errs.push(maxLenError(LABEL_VALUE_MAX_LENGTH));
  if (!labelValueRe.test(value)) errs.push(regexError(LABEL_VALUE_ERR, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

/** A label key as a field error list: `<path>: Invalid value: "<key>": <message>`. */
export function validateLabelName(key: string, path: FieldPath): FieldError[] {
  return invalidEach(path, key, isQualifiedName(key));
}

/**
 * A label map (`metadata.labels`, a selector's matchLabels): key and value
 * errors are both reported at `path` itself, as Kubernetes does.
 */
export function validateLabels(labels: Readonly<Record<string, string>> | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errs.push(...validateLabelName(k, path));
    errs.push(...invalidEach(path, v, isValidLabelValue(v)));
  }
  return errs;
}

/** The total size of annotations in bytes: every key and value, UTF-8. */
export function annotationsSize(annotations: Readonly<Record<string, string>> | undefined): number {
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) total += byteLength(k) + byteLength(v);
  return total;
}

/**
 * An annotation map: keys are qualified names compared case-insensitively,
 * and all of it together at most 256 KiB
 * (`metadata.annotations: Too long: may not be more than 262144 bytes`).
 */
export function validateAnnotations(annotations: Readonly<Record<string, string>> | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of Object.keys(annotations ?? {})) {
    errs.push(...invalidEach(path, k, isQualifiedName(k.toLowerCase())));
  }
  if (annotationsSize(annotations) > TOTAL_ANNOTATION_SIZE_LIMIT_BYTES) {
    errs.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT_BYTES));
  }
  return errs;
}
