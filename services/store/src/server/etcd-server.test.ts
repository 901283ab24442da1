import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, waitFor } from '@kubelab/component-base';
import { Code, etcdCodecs, etcdServiceDefinitions, GrpcChannel, type GrpcError } from '@kubelab/proto';
import { parseStoreFlags } from '../config';
import { startStore, type RunningStore } from '../store';

/**
 * The store's bidirectional streams (Watch, LeaseKeepAlive) on the node:http2 gRPC server, driven
 * request by request with GrpcChannel, as the apiserver drives its watches: several requests on
 * one stream answered in order, the client's half-close, a request over the limit, and shutdown.
 * test/store runs etcdctl and the etcd3 client against it beside a real etcd.
 */

const log = createLogger('etcd-server-test', 'silent');
const MAX_REQUEST_BYTES = 1024;
let dataDir: string;
let store: RunningStore;
let channel: GrpcChannel;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'etcd-server-test-'));
  const config = parseStoreFlags([
    '--data-dir', dataDir,
    '--listen-client-urls', 'http://127.0.0.1:0',
    '--listen-metrics-urls', 'http://127.0.0.1:0',
    '--max-request-bytes', String(MAX_REQUEST_BYTES),
  ]);
  store = await startStore(config, log);
  channel = new GrpcChannel(new URL(store.clientUrls[0]!).host);
});

afterAll(async () => {
  channel?.close();
  await store?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface WatchResponse {
  header: { revision: string };
  watch_id: string;
  created: boolean;
  canceled: boolean;
  cancel_reason: string;
  events: Array<{ type: string; kv: { key: Buffer; value: Buffer } }>;
}

async function put(key: string, value: string): Promise<void> {
  await channel.unary('/etcdserverpb.KV/Put', etcdCodecs.PutRequest.serialize({ key: Buffer.from(key), value: Buffer.from(value) }), 10_000);
}

/** A Watch stream: the responses as they come, how it ended, and requests to send on it. */
function watchStream() {
  const responses: WatchResponse[] = [];
  const state = { ended: undefined as { error: GrpcError | undefined } | undefined };
  const stream = channel.stream('/etcdserverpb.Watch/Watch', (bytes) => responses.push(etcdCodecs.WatchResponse.deserialize(bytes) as unknown as WatchResponse), (error) => (state.ended = { error }));
  const send = (request: object) => stream.send(etcdCodecs.WatchRequest.serialize(request));
  return { responses, state, stream, send };
}

const summary = (r: WatchResponse) => ({
  id: String(r.watch_id),
  created: r.created,
  canceled: r.canceled,
  events: r.events.map((e) => `${e.type} ${e.kv.key.toString()}=${e.kv.value.toString()}`),
});

describe('the etcd API on the node:http2 gRPC server', () => {
  it('Watch: several creates, a cancel and a progress request on one stream, answered in order; the half-close ends it OK', async () => {
    const watch = watchStream();
    watch.send({ create_request: { key: Buffer.from('/w/a/'), range_end: Buffer.from('/w/a0') } });
    watch.send({ create_request: { key: Buffer.from('/w/b') } });
    await waitFor(() => watch.responses.length === 2, { what: 'both watches created' });
    await put('/w/a/1', 'one');
    await put('/w/b', 'two');
    await waitFor(() => watch.responses.length === 4, { what: 'both events' });
    watch.send({ cancel_request: { watch_id: 0 } });
    await waitFor(() => watch.responses.length === 5, { what: 'the cancel' });
    // Watch 0 is gone: only watch 1 hears the next writes.
    await put('/w/a/2', 'three');
    await put('/w/b', 'four');
    await waitFor(() => watch.responses.length === 6, { what: 'the event after the cancel' });
    watch.send({ progress_request: {} });
    await waitFor(() => watch.responses.length === 7, { what: 'the progress response' });
    expect(watch.responses.map(summary)).toEqual([
      { id: '0', created: true, canceled: false, events: [] },
      { id: '1', created: true, canceled: false, events: [] },
      { id: '0', created: false, canceled: false, events: ['PUT /w/a/1=one'] },
      { id: '1', created: false, canceled: false, events: ['PUT /w/b=two'] },
      { id: '0', created: false, canceled: true, events: [] },
      { id: '1', created: false, canceled: false, events: ['PUT /w/b=four'] },
      { id: '-1', created: false, canceled: false, events: [] },
    ]);
    expect(watch.state.ended).toBeUndefined();
    watch.stream.end();
    await waitFor(() => watch.state.ended, { what: 'the stream to end' });
    expect(watch.state.ended!.error).toBeUndefined();
  });

  it('LeaseKeepAlive: each renewal on the stream answered in order, an unknown lease with TTL 0', async () => {
    const lease = etcdServiceDefinitions().Lease;
    const granted = lease.LeaseGrant!.responseDeserialize(await channel.unary('/etcdserverpb.Lease/LeaseGrant', lease.LeaseGrant!.requestSerialize({ TTL: 30 }), 10_000)) as { ID: string };
    const answers: Array<{ ID: string; TTL: string }> = [];
    let ended: { error: GrpcError | undefined } | undefined;
    const stream = channel.stream('/etcdserverpb.Lease/LeaseKeepAlive', (bytes) => answers.push(lease.LeaseKeepAlive!.responseDeserialize(bytes) as { ID: string; TTL: string }), (error) => (ended = { error }));
    const renew = (ID: string) => stream.send(lease.LeaseKeepAlive!.requestSerialize({ ID }));
    renew(granted.ID);
    renew('12345');
    renew(granted.ID);
    await waitFor(() => answers.length === 3, { what: 'three keep-alive answers' });
    expect(answers.map((a) => [a.ID, a.TTL])).toEqual([
      [granted.ID, '30'],
      ['12345', '0'],
      [granted.ID, '30'],
    ]);
    stream.end();
    await waitFor(() => ended, { what: 'the stream to end' });
    expect(ended!.error).toBeUndefined();
  });

  it('a write over --max-request-bytes is etcd\'s "request is too large"; a watch request over the gRPC limit ends its stream RESOURCE_EXHAUSTED', async () => {
    const error = (await put('/w/big', 'x'.repeat(MAX_REQUEST_BYTES + 1)).catch((e: unknown) => e)) as GrpcError;
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
    expect(error.details).toBe('etcdserver: request is too large');

    const watch = watchStream();
    watch.send({ create_request: { key: Buffer.from('/w/small') } });
    await waitFor(() => watch.responses.length === 1, { what: 'the watch created' });
    watch.send({ create_request: { key: Buffer.alloc(MAX_REQUEST_BYTES + 512 * 1024, 'k') } });
    await waitFor(() => watch.state.ended, { what: 'the stream to be refused' });
    expect(watch.state.ended!.error!.code).toBe(Code.RESOURCE_EXHAUSTED);
    expect(watch.state.ended!.error!.details).toMatch(/^Received message larger than max \(\d+ vs\. 525312\)$/);
  });
});

describe('--max-request-bytes, where etcd applies it', () => {
  const call = (method: 'Put' | 'Txn', request: object) =>
    channel
      .unary(`/etcdserverpb.KV/${method}`, etcdCodecs[`${method}Request`].serialize(request), 10_000)
      .then((bytes) => etcdCodecs[`${method}Response`].deserialize(bytes) as { succeeded?: boolean }, (error: GrpcError) => ({ code: error.code, details: error.details }));
  const big = Buffer.alloc(MAX_REQUEST_BYTES + 1, 'x');
  const range = (key: string) => ({ request_range: { key: Buffer.from(key) } });
  const putOp = (key: string, value: Buffer | string = 'v') => ({ request_put: { key: Buffer.from(key), value: Buffer.from(value) } });
  const tooLarge = { code: Code.INVALID_ARGUMENT, details: 'etcdserver: request is too large' };

  it('a read-only txn over the limit is answered: it does not go through raft', async () => {
    const answer = await call('Txn', { compare: [{ key: Buffer.from('/s/a'), target: 'VALUE', result: 'EQUAL', value: big }], success: [range('/s/a')], failure: [range('/s/b')] });
    expect(answer).toMatchObject({ succeeded: false });
    expect(await call('Txn', { success: [putOp('/s/a', big)] })).toEqual(tooLarge);
  });

  it('the request checks come first: their errors win over "request is too large"', async () => {
    expect(await call('Put', { key: Buffer.alloc(0), value: big })).toEqual({ code: Code.INVALID_ARGUMENT, details: 'etcdserver: key is not provided' });
    expect(await call('Txn', { success: [putOp('/s/big', big), ...Array.from({ length: 128 }, (_, i) => range(`/s/${i}`))] })).toEqual({
      code: Code.INVALID_ARGUMENT,
      details: 'etcdserver: too many operations in txn request',
    });
    expect(await call('Txn', { success: [putOp('/s/big', big), putOp('/s/big')] })).toEqual({ code: Code.INVALID_ARGUMENT, details: 'etcdserver: duplicate key given in txn request' });
    // A put's lease is checked as it is applied, after raft: there "too large" wins.
    expect(await call('Put', { key: Buffer.from('/s/a'), value: big, lease: '1234' })).toEqual(tooLarge);
  });
});

describe('closing the store', () => {
  it('ends open watch streams with etcd\'s "server stopped" at once', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'etcd-server-test-'));
    const closing = await startStore(parseStoreFlags(['--data-dir', dir, '--listen-client-urls', 'http://127.0.0.1:0', '--listen-metrics-urls', 'http://127.0.0.1:0']), log);
    const closingChannel = new GrpcChannel(new URL(closing.clientUrls[0]!).host);
    try {
      const responses: Buffer[] = [];
      let ended: { error: GrpcError | undefined } | undefined;
      const stream = closingChannel.stream('/etcdserverpb.Watch/Watch', (bytes) => responses.push(bytes), (error) => (ended = { error }));
      stream.send(etcdCodecs.WatchRequest.serialize({ create_request: { key: Buffer.from('/x') } }));
      await waitFor(() => responses.length === 1, { what: 'the watch created' });
      const started = Date.now();
      await closing.close();
      // Within the 2 s the server gives unary calls: the stream did not hold the shutdown.
      expect(Date.now() - started).toBeLessThan(1_900);
      await waitFor(() => ended, { what: 'the stream to end' });
      expect(ended!.error!.code).toBe(Code.UNAVAILABLE);
      expect(ended!.error!.details).toBe('etcdserver: server stopped');
    } finally {
      closingChannel.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
