import * as grpc from '@grpc/grpc-js';
import { ApiError, errorToStatus, FieldPath, newTimeout, required } from '@kubelab/apimachinery';
import { STATUS_METADATA_KEY } from '@kubelab/proto';
import { describe, expect, it } from 'vitest';
import { Errors } from '../errors';
import { pods } from '../registry/resources/pods';
import { grpcCodeFor, toServiceError } from './status';

describe('status mapping', () => {
  it.each([
    ['400 BadRequest', Errors.badRequest('x'), grpc.status.INVALID_ARGUMENT],
    ['404 NotFound', Errors.notFound(pods, 'web'), grpc.status.NOT_FOUND],
    ['409 AlreadyExists', Errors.alreadyExists(pods, 'web'), grpc.status.ALREADY_EXISTS],
    ['409 Conflict', Errors.conflict(pods, 'web'), grpc.status.ABORTED],
    ['422 Invalid', Errors.invalid(pods, 'web', [required(FieldPath.of('spec', 'containers'))]), grpc.status.INVALID_ARGUMENT],
    ['410 Expired', Errors.expired('too old resource version: 1 (5)'), grpc.status.OUT_OF_RANGE],
    ['405 MethodNotAllowed', Errors.methodNotSupported(pods, 'delete'), grpc.status.UNIMPLEMENTED],
    ['415 UnsupportedMediaType', Errors.unsupportedMediaType(), grpc.status.INVALID_ARGUMENT],
    ['413 RequestEntityTooLarge', Errors.tooLarge(), grpc.status.RESOURCE_EXHAUSTED],
    ['500 InternalError', Errors.internal(new Error('boom')), grpc.status.INTERNAL],
    ['504 Timeout', new ApiError(newTimeout('slow')), grpc.status.DEADLINE_EXCEEDED],
  ])('%s → gRPC code %s', (_name, error, code) => {
    expect(grpcCodeFor(error.status)).toBe(code);
  });

  it('puts the whole Kubernetes Status in the trailing metadata', () => {
    const error = Errors.notFound(pods, 'web');
    const serviceError = toServiceError(error);
    expect(serviceError.code).toBe(grpc.status.NOT_FOUND);
    expect(serviceError.details).toBe('pods "web" not found');
    const raw = serviceError.metadata!.get(STATUS_METADATA_KEY)[0] as Buffer;
    expect(JSON.parse(raw.toString())).toEqual(error.status);
  });

  it('anything that is not an ApiError becomes a 500, with the Status the REST API would send', () => {
    const serviceError = toServiceError(new Error('store exploded'));
    expect(serviceError.code).toBe(grpc.status.INTERNAL);
    const status = JSON.parse((serviceError.metadata!.get(STATUS_METADATA_KEY)[0] as Buffer).toString());
    expect(status).toEqual(errorToStatus(new Error('store exploded')));
    expect(status).toMatchObject({ code: 500, status: 'Failure' });
  });
});
