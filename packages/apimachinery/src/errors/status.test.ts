import { describe, expect, it } from 'vitest';
import { FieldPath } from '../validation/field-path';
import { invalid, required } from './field-error';
import {
  forbiddenMessage,
  groupKindString,
  groupResourceString,
  newAlreadyExists,
  newApplyConflict,
  newBadRequest,
  newConflict,
  newForbidden,
  newGenerateNameConflict,
  newGone,
  newInternalError,
  newInvalid,
  newMethodNotSupported,
  newNotAcceptable,
  newNotFound,
  newOptimisticLockConflict,
  newRequestEntityTooLarge,
  newResourceExpired,
  newServerTimeout,
  newServiceUnavailable,
  newTimeout,
  newTooManyRequests,
  newTooManyRequestsError,
  newTooOldResourceVersion,
  newUnauthorized,
  newUnsupportedMediaType,
  type Status,
} from './status';

const pods = { resource: 'pods' };
const deployments = { group: 'apps', resource: 'deployments' };
const image = required(FieldPath.of('spec', 'containers').index(0).child('image'));
const badName = invalid(FieldPath.of('metadata', 'name'), 'Bad_Name', 'must be lowercase');

describe('Status messages, codes and reasons', () => {
  it.each<[string, Status, number, string, string]>([
    ['not found', newNotFound(pods, 'x'), 404, 'NotFound', 'pods "x" not found'],
    ['not found with group', newNotFound(deployments, 'x'), 404, 'NotFound', 'deployments.apps "x" not found'],
    ['already exists', newAlreadyExists(pods, 'x'), 409, 'AlreadyExists', 'pods "x" already exists'],
    ['generateName conflict', newGenerateNameConflict(pods, 'x-abcde', 1), 409, 'AlreadyExists',
      'pods "x-abcde" already exists, the server was not able to generate a unique name for the object'],
    ['conflict', newOptimisticLockConflict(pods, 'x'), 409, 'Conflict',
      'Operation cannot be fulfilled on pods "x": the object has been modified; please apply your changes to the latest version and try again'],
    ['conflict with a reason', newConflict(deployments, 'web', new Error('precondition failed')), 409, 'Conflict',
      'Operation cannot be fulfilled on deployments.apps "web": precondition failed'],
    ['invalid, one error', newInvalid({ kind: 'Pod' }, 'x', [image]), 422, 'Invalid',
      'Pod "x" is invalid: spec.containers[0].image: Required value'],
    ['invalid, two errors', newInvalid({ kind: 'Pod' }, 'x', [image, badName]), 422, 'Invalid',
      'Pod "x" is invalid: [spec.containers[0].image: Required value, metadata.name: Invalid value: "Bad_Name": must be lowercase]'],
    ['invalid, no errors', newInvalid({ kind: 'Deployment', group: 'apps' }, 'web', []), 422, 'Invalid', 'Deployment.apps "web" is invalid'],
    ['bad request', newBadRequest('the server rejected the request'), 400, 'BadRequest', 'the server rejected the request'],
    ['unauthorized', newUnauthorized(), 401, 'Unauthorized', 'not authorized'],
    ['forbidden', newForbidden(pods, 'x', 'no'), 403, 'Forbidden', 'pods "x" is forbidden: no'],
    ['forbidden, no name', newForbidden(pods, '', 'no'), 403, 'Forbidden', 'pods is forbidden: no'],
    ['forbidden, no resource', newForbidden({ resource: '' }, '', 'no'), 403, 'Forbidden', 'forbidden: no'],
    ['method not supported', newMethodNotSupported(deployments, 'patch'), 405, 'MethodNotAllowed',
      'patch is not supported on resources of kind "deployments.apps"'],
    ['not acceptable', newNotAcceptable(['application/json', 'application/yaml']), 406, 'NotAcceptable',
      'only the following media types are accepted: application/json, application/yaml'],
    ['gone', newGone('gone away'), 410, 'Gone', 'gone away'],
    ['expired', newResourceExpired('too old'), 410, 'Expired', 'too old'],
    ['too old resource version', newTooOldResourceVersion(5, 10), 410, 'Expired', 'too old resource version: 5 (10)'],
    ['entity too large', newRequestEntityTooLarge('limit is 3145728'), 413, 'RequestEntityTooLarge',
      'Request entity too large: limit is 3145728'],
    ['unsupported media type', newUnsupportedMediaType(['application/json-patch+json', 'application/merge-patch+json']), 415,
      'UnsupportedMediaType',
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json'],
    ['too many requests', newTooManyRequests('slow down', 1), 429, 'TooManyRequests', 'slow down'],
    ['too many requests error', newTooManyRequestsError('limit reached'), 429, 'TooManyRequests', 'Too many requests: limit reached'],
    ['internal error', newInternalError(new Error('etcd down')), 500, 'InternalError', 'Internal error occurred: etcd down'],
    ['server timeout', newServerTimeout(pods, 'create', 2), 500, 'ServerTimeout',
      'The create operation against pods could not be completed at this time, please try again.'],
    ['service unavailable', newServiceUnavailable('shutting down'), 503, 'ServiceUnavailable', 'shutting down'],
    ['timeout', newTimeout('request did not complete within 60s'), 504, 'Timeout', 'Timeout: request did not complete within 60s'],
  ])('%s', (_what, status, code, reason, message) => {
    expect(status.kind).toBe('Status');
    expect(status.apiVersion).toBe('v1');
    expect(status.status).toBe('Failure');
    expect(status.code).toBe(code);
    expect(status.reason).toBe(reason);
    expect(status.message).toBe(message);
  });
});

describe('Status JSON, as the apiserver writes it', () => {
  it.each<[string, Status, string]>([
    ['not found', newNotFound(pods, 'x'),
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \\"x\\" not found","reason":"NotFound","details":{"name":"x","kind":"pods"},"code":404}'],
    ['not found with group', newNotFound(deployments, 'web'),
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"deployments.apps \\"web\\" not found","reason":"NotFound","details":{"name":"web","group":"apps","kind":"deployments"},"code":404}'],
    ['invalid with causes', newInvalid({ kind: 'Pod' }, 'x', [badName]),
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Pod \\"x\\" is invalid: metadata.name: Invalid value: \\"Bad_Name\\": must be lowercase","reason":"Invalid","details":{"name":"x","kind":"Pod","causes":[{"reason":"FieldValueInvalid","message":"Invalid value: \\"Bad_Name\\": must be lowercase","field":"metadata.name"}]},"code":422}'],
    ['bad request has no details', newBadRequest('nope'),
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"nope","reason":"BadRequest","code":400}'],
    ['internal error has a cause', newInternalError('boom'),
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Internal error occurred: boom","reason":"InternalError","details":{"causes":[{"message":"boom"}]},"code":500}'],
    ['retry-after in details', newTooManyRequests('slow down', 3),
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"slow down","reason":"TooManyRequests","details":{"retryAfterSeconds":3},"code":429}'],
    ['empty details stay as {}', newTimeout('x'),
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Timeout: x","reason":"Timeout","details":{},"code":504}'],
  ])('%s', (_what, status, json) => {
    expect(JSON.stringify(status)).toBe(json);
  });

  it('passes apply conflict causes through', () => {
    const causes = [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl"', field: '.spec.replicas' }];
    expect(newApplyConflict(causes, 'Apply failed with 1 conflict').details).toEqual({ causes });
  });
});

describe('names of resources and kinds', () => {
  it.each([
    [{ resource: 'pods' }, 'pods'],
    [{ resource: 'deployments', group: 'apps' }, 'deployments.apps'],
    [{ resource: 'leases', group: 'coordination.k8s.io' }, 'leases.coordination.k8s.io'],
  ])('%j is %s', (gr, want) => {
    expect(groupResourceString(gr)).toBe(want);
  });

  it.each([
    [{ kind: 'Pod' }, 'Pod'],
    [{ kind: 'Deployment', group: 'apps' }, 'Deployment.apps'],
  ])('%j is %s', (gk, want) => {
    expect(groupKindString(gk)).toBe(want);
  });
});

describe('forbiddenMessage', () => {
  it.each([
    [{ user: 'bob', verb: 'list', resource: 'pods', namespace: 'default' },
      'User "bob" cannot list resource "pods" in API group "" in the namespace "default"'],
    [{ user: 'bob', verb: 'get', resource: 'nodes', group: '' }, 'User "bob" cannot get resource "nodes" in API group "" at the cluster scope'],
    [{ user: 'system:anonymous', verb: 'update', resource: 'deployments', subresource: 'scale', group: 'apps', namespace: 'ns' },
      'User "system:anonymous" cannot update resource "deployments/scale" in API group "apps" in the namespace "ns"'],
    [{ user: 'bob', verb: 'get', path: '/metrics' }, 'User "bob" cannot get path "/metrics"'],
  ])('%j', (attrs, want) => {
    expect(forbiddenMessage(attrs)).toBe(want);
  });

  it('composes into the Forbidden status kubectl shows', () => {
    const msg = forbiddenMessage({ user: 'bob', verb: 'list', resource: 'pods', namespace: 'default' });
    expect(newForbidden(pods, '', msg).message).toBe(
      'pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default"',
    );
  });
});
