/**
 * Field-level validation errors, worded and printed as Kubernetes' field.Error
 * (k8s.io/apimachinery/pkg/util/validation/field/errors.go):
 * `spec.containers[0].image: Required value`,
 * `metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must ...`.
 */
import { pathString, type FieldPath } from '../validation/field-path';
import { formatBadValue, goQuote } from './go-format';

/** The machine-readable kinds; each is also a Status cause `reason`. */
export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'InternalError'
  | 'FieldValueTypeInvalid';

/** The words each type prints as. */
export const FIELD_ERROR_TYPE_TEXT: Readonly<Record<FieldErrorType, string>> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

/** A bad value that is left out of the message (TooMany with no known count). */
export const OMIT_VALUE: unique symbol = Symbol('omitValue');

/** Types whose message never shows the bad value. */
const VALUE_HIDDEN = new Set<FieldErrorType>(['FieldValueRequired', 'FieldValueForbidden', 'FieldValueTooLong', 'InternalError']);

type PathLike = FieldPath | null | undefined;

export class FieldError {
  constructor(
    readonly type: FieldErrorType,
    /** The field path as printed, e.g. `spec.containers[0].image`. */
    readonly field: string,
    readonly badValue: unknown,
    readonly detail: string,
  ) {}

  /** The message without the field: `Invalid value: "x": must be ...`. */
  errorBody(): string {
    let s = FIELD_ERROR_TYPE_TEXT[this.type];
    if (!VALUE_HIDDEN.has(this.type) && this.badValue !== OMIT_VALUE) {
      s += `: ${formatBadValue(this.badValue)}`;
    }
    if (this.detail.length > 0) s += `: ${this.detail}`;
    return s;
  }

  /** The full message: `field: body`. */
  get message(): string {
    return `${this.field}: ${this.errorBody()}`;
  }

  toString(): string {
    return this.message;
  }
}

/** A value that was required but not given (empty string, null, empty list). */
export function required(path: PathLike, detail = ''): FieldError {
  return new FieldError('FieldValueRequired', pathString(path), '', detail);
}

/** A malformed value (failed a regex, out of range...). */
export function invalid(path: PathLike, value: unknown, detail: string): FieldError {
  return new FieldError('FieldValueInvalid', pathString(path), value, detail);
}

/** A value outside an enumeration; lists the valid values, quoted, in the order given. */
export function notSupported(path: PathLike, value: unknown, validValues: readonly string[]): FieldError {
  const detail = validValues.length > 0 ? `supported values: ${validValues.map(goQuote).join(', ')}` : '';
  return new FieldError('FieldValueNotSupported', pathString(path), value, detail);
}

/** A value that must be unique but is not. */
export function duplicate(path: PathLike, value: unknown): FieldError {
  return new FieldError('FieldValueDuplicate', pathString(path), value, '');
}

/** A well-formed value that is not allowed here. */
export function forbidden(path: PathLike, detail: string): FieldError {
  return new FieldError('FieldValueForbidden', pathString(path), '', detail);
}

/** A value longer than `maxLength` bytes; the value itself is not printed. */
export function tooLong(path: PathLike, maxLength: number): FieldError {
  const detail = maxLength >= 0 ? `may not be more than ${maxLength} ${maxLength === 1 ? 'byte' : 'bytes'}` : 'value is too long';
  return new FieldError('FieldValueTooLong', pathString(path), '<value omitted>', detail);
}

/** A list with more than `maxQuantity` items (`actualQuantity` < 0 leaves the count out). */
export function tooMany(path: PathLike, actualQuantity: number, maxQuantity: number): FieldError {
  const detail = maxQuantity >= 0 ? `must have at most ${maxQuantity} ${maxQuantity === 1 ? 'item' : 'items'}` : 'has too many items';
  return new FieldError('FieldValueTooMany', pathString(path), actualQuantity >= 0 ? actualQuantity : OMIT_VALUE, detail);
}

/** A value that refers to something that does not exist. */
export function notFound(path: PathLike, value: unknown): FieldError {
  return new FieldError('FieldValueNotFound', pathString(path), value, '');
}

/** A value of the wrong type for its schema. */
export function typeInvalid(path: PathLike, value: unknown, detail: string): FieldError {
  return new FieldError('FieldValueTypeInvalid', pathString(path), value, detail);
}

/** A failure not caused by the user's input. */
export function internalError(path: PathLike, err: Error | string): FieldError {
  const detail = typeof err === 'string' ? err : err.message;
  return new FieldError('InternalError', pathString(path), null, detail);
}

/**
 * The errors of a list as one message, as Kubernetes' aggregate error prints
 * them: duplicates dropped, one error bare, several as `[a, b]`; undefined
 * for an empty list.
 */
export function aggregateMessage(errors: readonly { message: string }[]): string | undefined {
  const seen = new Set<string>();
  for (const e of errors) seen.add(e.message);
  if (seen.size === 0) return undefined;
  const msgs = [...seen];
  return msgs.length === 1 ? msgs[0] : `[${msgs.join(', ')}]`;
}
