import { describe, expect, it } from 'vitest';
import {
  ApiError,
  errorToStatus,
  internalApiError,
  isAlreadyExists,
  isApiError,
  isBadRequest,
  isConflict,
  isForbidden,
  isGone,
  isInvalid,
  isNotFound,
  isResourceExpired,
  reasonForError,
} from './api-error';
import {
  failureStatus,
  newAlreadyExists,
  newBadRequest,
  newConflict,
  newForbidden,
  newGone,
  newInvalid,
  newNotFound,
  newResourceExpired,
  type Status,
} from './status';

const pods = { resource: 'pods' };

describe('ApiError', () => {
  it('carries its Status and can be thrown and caught at the edge', () => {
    const thrown = (() => {
      try {
        throw new ApiError(newNotFound(pods, 'x'));
      } catch (e) {
        return e;
      }
    })();
    expect(isApiError(thrown)).toBe(true);
    const err = thrown as ApiError;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe('pods "x" not found');
    expect(err.code).toBe(404);
    expect(err.reason).toBe('NotFound');
    expect(err.toStatus()).toEqual(newNotFound(pods, 'x'));
  });

  it('hands out a copy of its Status', () => {
    const err = new ApiError(newNotFound(pods, 'x'));
    const s = err.toStatus();
    s.message = 'changed';
    expect(err.toStatus().message).toBe('pods "x" not found');
  });
});

describe('errorToStatus', () => {
  it('answers an ApiError with its own Status', () => {
    expect(errorToStatus(new ApiError(newBadRequest('nope')))).toEqual(newBadRequest('nope'));
  });

  it('answers any other error as a 500 with no reason, as the apiserver does', () => {
    expect(JSON.stringify(errorToStatus(new Error('disk full')))).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"disk full","code":500}',
    );
    expect(errorToStatus('weird').message).toBe('weird');
  });

  it('internalApiError wraps non-API errors as InternalError', () => {
    expect(internalApiError(new Error('boom')).toStatus().message).toBe('Internal error occurred: boom');
    const nf = new ApiError(newNotFound(pods, 'x'));
    expect(internalApiError(nf)).toBe(nf);
  });
});

describe('reason predicates', () => {
  const cases: [string, Status, (e: unknown) => boolean][] = [
    ['not found', newNotFound(pods, 'x'), isNotFound],
    ['already exists', newAlreadyExists(pods, 'x'), isAlreadyExists],
    ['conflict', newConflict(pods, 'x', 'stale'), isConflict],
    ['invalid', newInvalid({ kind: 'Pod' }, 'x', []), isInvalid],
    ['bad request', newBadRequest('x'), isBadRequest],
    ['forbidden', newForbidden(pods, 'x', 'no'), isForbidden],
    ['expired', newResourceExpired('old'), isResourceExpired],
    ['gone', newGone('old'), isGone],
  ];
  it.each(cases)('%s is recognised, and only by its own predicate', (_what, status, predicate) => {
    expect(predicate(new ApiError(status))).toBe(true);
    for (const [, other, otherPredicate] of cases) {
      if (other !== status) expect(otherPredicate(new ApiError(status))).toBe(false);
    }
    expect(predicate(new Error('plain'))).toBe(false);
    expect(reasonForError(new ApiError(status))).toBe(status.reason);
  });

  it('falls back to the code only when the reason is unknown', () => {
    expect(isNotFound(new ApiError(failureStatus(404, '', 'gone')))).toBe(true);
    expect(isNotFound(new ApiError(failureStatus(404, 'Gone', 'gone')))).toBe(false);
    expect(reasonForError(new Error('x'))).toBe('');
  });
});
