/**
 * The sentence builders Kubernetes' validators share
 * (k8s.io/apimachinery/pkg/util/validation/validation.go). Validators return
 * lists of such sentences; callers turn each into a field error with
 * {@link invalidEach}.
 */
import { invalid, type FieldError } from '../errors/field-error';
import type { FieldPath } from './field-path';

/** `must be no more than 63 characters`. */
export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

/**
 * A regex failure with examples, e.g.
 * `<msg> (e.g. 'my-name',  or '123-abc', regex used for validation is '<fmt>')`
 * (the double space after each comma is Kubernetes' own).
 */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  let out = `${msg} (e.g. `;
  examples.forEach((ex, i) => {
    if (i > 0) out += ' or ';
    out += `'${ex}', `;
  });
  return `${out}regex used for validation is '${fmt}')`;
}

/** `must be non-empty`. */
export function emptyError(): string {
  return 'must be non-empty';
}

/** `must be between 1 and 65535, inclusive`. */
export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

/** Each message with a prefix: `prefix part ` + message. */
export function prefixEach(msgs: readonly string[], prefix: string): string[] {
  return msgs.map((m) => prefix + m);
}

/** One `Invalid value` field error per message, as Kubernetes' callers do. */
export function invalidEach(path: FieldPath | null, value: unknown, msgs: readonly string[]): FieldError[] {
  return msgs.map((m) => invalid(path, value, m));
}

/** Length in bytes of a string's UTF-8 form (Go's len of a string). */
export function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
