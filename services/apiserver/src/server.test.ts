import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '@kubelab/component-base';
import { Code, grpcError } from '@kubelab/proto';
import { Errors } from './errors';
import { createApiServer } from './server';
import type { ObjectStore } from './storage/object-store';
import { storeError } from './storage/store-error';

/** A store that fails every read, with `failure` (an unexpected error, or an ApiError). */
function failingStore(failure: () => unknown): ObjectStore {
  const fail = async () => {
    throw failure();
  };
  return { get: fail, getCached: fail, list: fail } as unknown as ObjectStore;
}

describe('the apiserver answering a request that failed', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  async function get(store: ObjectStore, path: string) {
    const log = createLogger('apiserver-test', 'silent');
    const logged = vi.spyOn(log, 'error');
    const { server } = createApiServer({ store, advertiseAddress: '127.0.0.1', bookmarkIntervalMs: 60_000, log, ready: () => true });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    close = () => new Promise((resolve) => server.close(() => resolve()));
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return { code: res.status, body: (await res.json()) as { kind: string; code: number; reason?: string; message: string; details?: unknown }, logged };
  }

  it('answers an unexpected error as one InternalError, "Internal error occurred:" once', async () => {
    const { code, body, logged } = await get(failingStore(() => new Error('cannot read properties of undefined')), '/api/v1/namespaces/default/configmaps/x');
    expect(code).toBe(500);
    expect(body).toMatchObject({ kind: 'Status', status: 'Failure', code: 500, reason: 'InternalError', message: 'Internal error occurred: cannot read properties of undefined' });
    expect(body.details).toEqual({ causes: [{ message: 'cannot read properties of undefined' }] });
    expect(logged).toHaveBeenCalledTimes(1);
  });

  it("answers the store's refusal in etcd's words, a 500 with no reason (kubectl: Error from server: etcdserver: ...)", async () => {
    const { code, body, logged } = await get(failingStore(() => storeError(grpcError(Code.UNAVAILABLE, 'etcdserver: request timed out'))), '/api/v1/namespaces/default/configmaps/x');
    expect(code).toBe(500);
    expect(body).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'etcdserver: request timed out', code: 500 });
    expect(logged).toHaveBeenCalledTimes(1);
    const other = await get(failingStore(() => storeError(grpcError(Code.UNAVAILABLE, 'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:2379'))), '/api/v1/namespaces/default/configmaps/x');
    expect(other.body.message).toBe('rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:2379: connect: connection refused"');
  });

  it('wraps a thrown string the same way', async () => {
    const { body } = await get(failingStore(() => 'boom'), '/api/v1/namespaces/default/configmaps/x');
    expect(body.message).toBe('Internal error occurred: boom');
  });

  it('answers an ApiError with its own Status, unwrapped and not logged as a failure', async () => {
    const { code, body, logged } = await get(failingStore(() => Errors.notFound({ group: '', resource: 'configmaps' }, 'x')), '/api/v1/namespaces/default/configmaps/x');
    expect(code).toBe(404);
    expect(body).toMatchObject({ reason: 'NotFound', message: 'configmaps "x" not found' });
    expect(logged).not.toHaveBeenCalled();
  });
});
