import { isApiError } from '@kubelab/apimachinery';

/**
 * apierrors.HasStatusCause(err, NamespaceTerminatingCause): the apiserver refused a create because
 * the namespace is being deleted. Every create there fails the same way, so a controller drops
 * the key instead of retrying or reporting it.
 */
export function hasNamespaceTerminatingCause(error: unknown): boolean {
  if (!isApiError(error)) return false;
  return (error.status.details?.causes ?? []).some((cause) => cause.reason === 'NamespaceTerminating');
}
