import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, isAlreadyExists, isNotFound } from '@kubelab/apimachinery';
import { ObjectsClient, type KubeObject, type WatchEvent } from '@kubelab/client';
import { createLogger, waitFor } from '@kubelab/component-base';
import { loadObjectsApi, STATUS_METADATA_KEY, type ObjectResponse, type WatchEvent as WireWatchEvent } from '@kubelab/proto';
import { startKubelabStore, type ServerProcess } from '@kubelab/testkit';
import { bootstrap } from '../bootstrap';
import { GenericRegistry } from '../registry/generic-registry';
import { EtcdClient } from '../storage/etcd-client';
import { ObjectStore } from '../storage/object-store';
import { MAX_RECEIVE_MESSAGE_BYTES, startObjectsServer, type ObjectsServer } from './server';

/**
 * The Objects service on the wire server, in-process on a real registry over the real store,
 * driven by ObjectsClient (GrpcChannel on node:http2) and by grpc-js' client, as components use
 * one or the other.
 */

const log = createLogger('objects-server-test', 'silent');
const configMaps = { group: '', version: 'v1', resource: 'configmaps' };
const configMap = (name: string, data: Record<string, string> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data });

type Stub = grpc.Client & Record<string, (...args: unknown[]) => grpc.ClientUnaryCall & grpc.ClientReadableStream<WireWatchEvent>>;

let store: ServerProcess;
let etcd: EtcdClient;
let objectStore: ObjectStore;
let registry: GenericRegistry;
let server: ObjectsServer;
let client: ObjectsClient;
let stub: Stub;

beforeAll(async () => {
  store = await startKubelabStore();
  etcd = new EtcdClient([`http://${store.endpoint}`]);
  objectStore = new ObjectStore(etcd, '/registry', { log, size: 1000 });
  registry = new GenericRegistry(objectStore);
  await bootstrap(registry, { address: '127.0.0.1', port: 6443 }, log);
  server = await startObjectsServer({ registry, bindAddress: '127.0.0.1', port: 0, bookmarkIntervalMs: 60_000, log });
  client = new ObjectsClient(`127.0.0.1:${server.port}`);
  stub = newStub(server.port);
});

afterAll(async () => {
  client?.close();
  stub?.close();
  await server?.close();
  objectStore?.close();
  etcd?.close();
  await store?.stop();
});

function newStub(port: number): Stub {
  return new (loadObjectsApi().Objects)(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as Stub;
}

/** A unary call with grpc-js' client: the response, or its ServiceError. */
function call<Res>(method: string, request: object, target: Stub = stub): Promise<Res | grpc.ServiceError> {
  return new Promise((resolve) => target[method]!(request, { deadline: Date.now() + 10_000 }, (error: grpc.ServiceError | null, response: Res) => resolve(error ?? response)));
}

const decode = (bytes: Uint8Array) => JSON.parse(Buffer.from(bytes).toString()) as KubeObject & { data?: Record<string, string> };

describe('the Objects service on the wire server', () => {
  it('creates, reads, lists, updates and deletes with ObjectsClient and with grpc-js', async () => {
    const created = await client.create(configMaps, configMap('round-trip', { a: '1' }));
    expect(created.metadata.uid).toBeTruthy();

    const got = (await call<ObjectResponse>('Get', { ...configMaps, namespace: 'default', name: 'round-trip' })) as ObjectResponse;
    expect(decode(got.object).data).toEqual({ a: '1' });

    const updated = (await call<ObjectResponse>('Update', { ...configMaps, namespace: 'default', name: '', object: Buffer.from(JSON.stringify({ ...created, data: { a: '2' } })), dryRun: false })) as ObjectResponse;
    expect(Number(decode(updated.object).metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));

    const list = await client.list(configMaps, { namespace: 'default' });
    expect(list.items.find((item) => item.metadata.name === 'round-trip')).toMatchObject({ data: { a: '2' } });

    await client.delete(configMaps, 'default', 'round-trip');
    expect(isNotFound(await client.get(configMaps, 'default', 'round-trip').catch((e: unknown) => e))).toBe(true);
  });

  it('hands an ApiError to the client as the same ApiError, with its message', async () => {
    const missing = await client.get(configMaps, 'default', 'missing').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ApiError);
    expect(isNotFound(missing)).toBe(true);
    expect((missing as ApiError).message).toBe('configmaps "missing" not found');

    await client.create(configMaps, configMap('taken'));
    const taken = await client.create(configMaps, configMap('taken')).catch((e: unknown) => e);
    expect(isAlreadyExists(taken)).toBe(true);
    expect((taken as ApiError).message).toBe('configmaps "taken" already exists');

    // What grpc-js' client sees: the gRPC code, the message, the whole Status in the trailing metadata.
    const error = (await call('Create', { ...configMaps, namespace: 'default', object: Buffer.from(JSON.stringify(configMap('taken'))), dryRun: false })) as grpc.ServiceError;
    expect(error.code).toBe(grpc.status.ALREADY_EXISTS);
    expect(error.details).toBe('configmaps "taken" already exists');
    const status = JSON.parse((error.metadata.get(STATUS_METADATA_KEY)[0] as Buffer).toString());
    expect(status).toMatchObject({ kind: 'Status', code: 409, reason: 'AlreadyExists', details: { name: 'taken', kind: 'configmaps' } });
  });

  it('bounds the Status of an Invalid that repeats a 200 KB value, and the connection serves on', async () => {
    const huge = 'x'.repeat(200_000);
    const invalid = await client.create(configMaps, { ...configMap('huge-label'), metadata: { name: 'huge-label', namespace: 'default', labels: { a: huge } } }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ApiError);
    expect((invalid as ApiError).status).toMatchObject({ code: 422, reason: 'Invalid', details: { kind: 'ConfigMap', name: 'huge-label' } });
    expect((invalid as ApiError).message.length).toBeLessThan(8 * 1024);
    expect((invalid as ApiError).message).toMatch(/\(truncated\)$/);
    // The same connection answers the next call.
    expect(isNotFound(await client.get(configMaps, 'default', 'huge-label').catch((e: unknown) => e))).toBe(true);
  });

  it('answers a method it does not have UNIMPLEMENTED', async () => {
    const raw = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
    const error = await new Promise<grpc.ServiceError>((resolve) => raw.makeUnaryRequest('/kubelab.objects.v1.Objects/Evict', (b: Buffer) => b, (b: Buffer) => b, Buffer.alloc(0), (e) => resolve(e!)));
    raw.close();
    expect(error.code).toBe(grpc.status.UNIMPLEMENTED);
  });

  it('refuses a request over 4 MiB RESOURCE_EXHAUSTED, and serves on', async () => {
    const big = Buffer.from(JSON.stringify(configMap('big', { blob: 'x'.repeat(MAX_RECEIVE_MESSAGE_BYTES) })));
    const error = (await call('Create', { ...configMaps, namespace: 'default', object: big, dryRun: false })) as grpc.ServiceError;
    expect(error.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(error.details).toMatch(/^Received message larger than max \(\d+ vs\. 4194304\)$/);
    expect((await client.get(configMaps, 'default', 'taken')).metadata.name).toBe('taken');
  });

  it('streams a watch until the client cancels it, then lets it go', async () => {
    const before = server.openWatches;
    const watch = client.watch(configMaps, { namespace: 'default', resourceVersion: (await client.list(configMaps)).resourceVersion });
    const events: WatchEvent[] = [];
    const iterating = (async () => {
      for await (const event of watch) events.push(event);
    })();
    await waitFor(() => server.openWatches === before + 1, { what: 'the watch to open' });
    await client.create(configMaps, configMap('watched'));
    await waitFor(() => events.some((e) => e.type === 'ADDED' && (e.object as KubeObject).metadata.name === 'watched'), { what: 'the ADDED event' });
    watch.stop();
    await iterating;
    await waitFor(() => server.openWatches === before, { what: 'the server to end the cancelled watch' });

    // The same with grpc-js' client.
    const stream = stub.Watch!({ ...configMaps, namespace: 'default', resourceVersion: '0', labelSelector: '', fieldSelector: '', allowBookmarks: false, timeoutSeconds: 0 });
    stream.on('error', () => {});
    const received: WireWatchEvent[] = [];
    stream.on('data', (event: WireWatchEvent) => received.push(event));
    await waitFor(() => received.some((e) => decode(e.object).metadata.name === 'watched'), { what: 'the initial events' });
    expect(server.openWatches).toBe(before + 1);
    stream.cancel();
    await waitFor(() => server.openWatches === before, { what: 'the server to end the cancelled grpc-js watch' });
  });

  it('ends a watch at its timeoutSeconds with status OK', async () => {
    const stream = stub.Watch!({ ...configMaps, namespace: 'default', resourceVersion: '', labelSelector: '', fieldSelector: '', allowBookmarks: false, timeoutSeconds: 1 });
    const status = await new Promise<grpc.StatusObject>((resolve) => {
      stream.on('data', () => {});
      stream.on('error', () => {});
      stream.on('status', resolve);
    });
    expect(status.code).toBe(grpc.status.OK);
  });

  it('ends every watch with status OK when it closes', async () => {
    const closing = await startObjectsServer({ registry, bindAddress: '127.0.0.1', port: 0, bookmarkIntervalMs: 60_000, log });
    const closingStub = newStub(closing.port);
    const closingClient = new ObjectsClient(`127.0.0.1:${closing.port}`);
    try {
      const stream = closingStub.Watch!({ ...configMaps, namespace: 'default', resourceVersion: '', labelSelector: '', fieldSelector: '', allowBookmarks: false, timeoutSeconds: 0 });
      const received: WireWatchEvent[] = [];
      stream.on('data', (event: WireWatchEvent) => received.push(event));
      stream.on('error', () => {});
      const status = new Promise<grpc.StatusObject>((resolve) => stream.on('status', resolve));

      const watch = closingClient.watch(configMaps, { namespace: 'default' });
      const events: WatchEvent[] = [];
      const iterating = (async () => {
        for await (const event of watch) events.push(event);
      })();
      await waitFor(() => received.length > 0 && events.length > 0 && closing.openWatches === 2, { what: 'both watches to deliver' });

      await closing.close();
      expect((await status).code).toBe(grpc.status.OK);
      // ObjectsClient's iteration ends quietly, as for any watch the server ends.
      await iterating;
      expect(closing.openWatches).toBe(0);
    } finally {
      closingStub.close();
      closingClient.close();
    }
  });
});
