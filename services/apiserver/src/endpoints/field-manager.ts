import { FieldPath, invalid, tooLong } from '@kubelab/apimachinery';
import { Errors } from '../errors';

const MAX_LENGTH = 128;
/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/**
 * Who a create, update or patch is recorded as in managedFields (Kubernetes' managerOrUserAgent):
 * the request's `fieldManager` (kubectl sends `kubectl-edit`, `kubectl-label`, ...), else the
 * user agent up to its first `/` (`kube-controller-manager`, `kubectl`), cut at 128 characters.
 * Undefined when neither says (nothing is recorded then). A fieldManager that is too long or not
 * printable is the request's 422, on the options kind (`CreateOptions`, `UpdateOptions`, `PatchOptions`).
 */
export function fieldManagerOf(fieldManager: string | null | undefined, userAgent: string | undefined, options: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions'): string | undefined {
  if (fieldManager) {
    const path = FieldPath.of('fieldManager');
    const errors = [];
    if (Buffer.byteLength(fieldManager) > MAX_LENGTH) errors.push(tooLong(path, MAX_LENGTH));
    [...fieldManager].forEach((char, i) => {
      if (!PRINTABLE.test(char)) errors.push(invalid(path, fieldManager, `invalid character ${unicodeName(char)} (at position ${i})`));
    });
    if (errors.length) throw Errors.invalid({ group: 'meta.k8s.io', kind: options }, '', errors);
    return fieldManager;
  }
  return userAgentManager(userAgent);
}

/** The manager a user agent stands for: its first part, printable characters only, cut at 128 (prefixFromUserAgent). */
export function userAgentManager(userAgent: string | undefined): string | undefined {
  const prefix = [...(userAgent?.split('/')[0] ?? '')].filter((char) => PRINTABLE.test(char)).slice(0, MAX_LENGTH).join('');
  return prefix || undefined;
}

/** Go's %#U: U+0007 (without the quoted character when it does not print). */
function unicodeName(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}
