import { applyJsonPatch, applyMergePatch, failureStatus, PatchError, strategicMergePatch, type StatusReason } from '@kubelab/apimachinery';
import { ApiError, Errors } from '../errors';
import type { KubeObject, ResourceType } from '../registry/types';

/**
 * Applies a parsed patch to the stored object by its content type: JSON patch (RFC 6902), merge
 * patch (RFC 7386) or Kubernetes' strategic merge patch (what `kubectl apply`, `edit`, `label`,
 * `set image` send). The result goes through the same update path as a PUT.
 */
export function applyPatch(type: ResourceType, contentType: string, current: KubeObject, patch: unknown): KubeObject {
  try {
    switch (contentType) {
      case 'application/json-patch+json':
        return applyJsonPatch(current, patch) as unknown as KubeObject;
      case 'application/merge-patch+json':
        return applyMergePatch(current, patch) as unknown as KubeObject;
      case 'application/strategic-merge-patch+json':
        return strategicMergePatch(current, patch, type.kind) as unknown as KubeObject;
      default:
        throw Errors.unsupportedMediaType();
    }
  } catch (error) {
    if (error instanceof PatchError) throw fromPatchError(error);
    throw error;
  }
}

function fromPatchError(error: PatchError): ApiError {
  const details = error.code === 422 ? { causes: [{ reason: 'UnexpectedServerResponse', message: error.detail }] } : undefined;
  return new ApiError(failureStatus(error.code, error.reason as StatusReason, error.message, details));
}
