// The one error the patch functions throw. It carries what the apiserver needs to answer with
// the same Status Kubernetes would send: the HTTP code, the Status reason and the message.

/** Status reasons Kubernetes uses for patch failures; '' is Kubernetes' "Unknown" reason. */
export type PatchErrorReason = 'BadRequest' | 'Invalid' | 'RequestEntityTooLarge' | 'UnsupportedMediaType' | '';

/** The generic message Kubernetes puts in a 422 Status built by NewGenericServerResponse. */
export const INVALID_REQUEST_MESSAGE = 'the server rejected our request due to an error in our request';

/** The media types Kubernetes accepts for a PATCH of a custom resource (no strategic merge patch). */
export const UNSUPPORTED_PATCH_TYPE_MESSAGE =
  'the body of the request was in an unknown format - accepted media types include: ' +
  'application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml';

export class PatchError extends Error {
  override readonly name = 'PatchError';

  /**
   * @param code HTTP status code of the answer (400, 413, 415, 422 or 500).
   * @param reason Status.reason of the answer.
   * @param message Status.message of the answer.
   * @param detail The precise problem. For 422 answers Kubernetes keeps the message generic and
   *   puts this text in Status.details.causes[0].message (cause type "UnexpectedServerResponse");
   *   for every other code it equals the message.
   */
  constructor(
    readonly code: 400 | 413 | 415 | 422 | 500,
    readonly reason: PatchErrorReason,
    message: string,
    readonly detail: string = message,
  ) {
    super(message);
  }

  /** 400 BadRequest: the patch body is not in the expected form. */
  static badRequest(message: string): PatchError {
    return new PatchError(400, 'BadRequest', message);
  }

  /** 422 Invalid: the patch is well formed but cannot be applied to this object. */
  static invalid(detail: string): PatchError {
    return new PatchError(422, 'Invalid', INVALID_REQUEST_MESSAGE, detail);
  }

  /** 413 RequestEntityTooLarge. */
  static tooLarge(detail: string): PatchError {
    return new PatchError(413, 'RequestEntityTooLarge', `Request entity too large: ${detail}`, detail);
  }

  /** 415 UnsupportedMediaType: Kubernetes' answer to a strategic merge patch of a custom resource. */
  static unsupportedPatchType(): PatchError {
    return new PatchError(415, 'UnsupportedMediaType', UNSUPPORTED_PATCH_TYPE_MESSAGE);
  }

  /**
   * 500 with reason Unknown: what Kubernetes answers for the strategic merge patch errors it does
   * not classify (a missing merge key, an unknown $patch value, ...). The message is the
   * error's text, so `kubectl` shows "Error from server: <message>".
   */
  static unclassified(message: string): PatchError {
    return new PatchError(500, '', message);
  }
}
