import { ApiError, errorToStatus, FieldPath, newTimeout, required } from '@kubelab/apimachinery';
import { STATUS_METADATA_KEY } from '@kubelab/proto';
import { describe, expect, it } from 'vitest';
import { Errors } from '../errors';
import { pods } from '../registry/resources/pods';
import { Code } from '@kubelab/proto';
import { grpcCodeFor, MAX_GRPC_MESSAGE_CHARS, MAX_STATUS_JSON_BYTES, toCallStatus } from './status';

describe('status mapping', () => {
  it.each([
    ['400 BadRequest', Errors.badRequest('x'), Code.INVALID_ARGUMENT],
    ['404 NotFound', Errors.notFound(pods, 'web'), Code.NOT_FOUND],
    ['409 AlreadyExists', Errors.alreadyExists(pods, 'web'), Code.ALREADY_EXISTS],
    ['409 Conflict', Errors.conflict(pods, 'web'), Code.ABORTED],
    ['422 Invalid', Errors.invalid(pods, 'web', [required(FieldPath.of('spec', 'containers'))]), Code.INVALID_ARGUMENT],
    ['410 Expired', Errors.expired('too old resource version: 1 (5)'), Code.OUT_OF_RANGE],
    ['405 MethodNotAllowed', Errors.methodNotSupported(pods, 'delete'), Code.UNIMPLEMENTED],
    ['415 UnsupportedMediaType', Errors.unsupportedMediaType(), Code.INVALID_ARGUMENT],
    ['413 RequestEntityTooLarge', Errors.tooLarge(), Code.RESOURCE_EXHAUSTED],
    ['500 InternalError', Errors.internal(new Error('boom')), Code.INTERNAL],
    ['504 Timeout', new ApiError(newTimeout('slow')), Code.DEADLINE_EXCEEDED],
  ])('%s → gRPC code %s', (_name, error, code) => {
    expect(grpcCodeFor(error.status)).toBe(code);
  });

  it('puts the whole Kubernetes Status in the trailing metadata', () => {
    const error = Errors.notFound(pods, 'web');
    const callStatus = toCallStatus(error);
    expect(callStatus.code).toBe(Code.NOT_FOUND);
    expect(callStatus.details).toBe('pods "web" not found');
    const raw = callStatus.metadata![STATUS_METADATA_KEY] as Buffer;
    expect(JSON.parse(raw.toString())).toEqual(error.status);
  });

  it('anything that is not an ApiError becomes a 500, with the Status the REST API would send', () => {
    const callStatus = toCallStatus(new Error('store exploded'));
    expect(callStatus.code).toBe(Code.INTERNAL);
    const status = JSON.parse((callStatus.metadata![STATUS_METADATA_KEY] as Buffer).toString());
    expect(status).toEqual(errorToStatus(new Error('store exploded')));
    expect(status).toMatchObject({ code: 500, status: 'Failure' });
  });

  it('bounds an Invalid whose field errors repeat a 200 KB value: reason, code, kind and name kept, message clipped, causes within the budget', () => {
    const huge = 'x'.repeat(200_000);
    const error = Errors.invalid(pods, 'web', [required(FieldPath.of('spec', huge)), required(FieldPath.of('spec', 'containers'))]);
    expect(JSON.stringify(error.status).length).toBeGreaterThan(200_000);
    const callStatus = toCallStatus(error);
    expect(callStatus.code).toBe(Code.INVALID_ARGUMENT);
    expect(callStatus.details.length).toBeLessThanOrEqual(MAX_GRPC_MESSAGE_CHARS);
    const raw = callStatus.metadata![STATUS_METADATA_KEY] as Buffer;
    expect(raw.length).toBeLessThanOrEqual(MAX_STATUS_JSON_BYTES);
    const status = JSON.parse(raw.toString());
    expect(status).toMatchObject({ kind: 'Status', status: 'Failure', code: 422, reason: 'Invalid', details: { kind: 'Pod', name: 'web' } });
    expect(status.message).toMatch(/\(truncated\)$/);
    expect(status.message.startsWith(error.status.message!.slice(0, 100))).toBe(true);
  });
});
