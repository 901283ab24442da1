import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, failureStatus, isConflict, isNotFound } from '@kubelab/apimachinery';
import { FrameReader, frame, OBJECTS_SERVICE, STATUS_METADATA_KEY, type GetRequest } from '@kubelab/proto';
import { ObjectsClient } from './objects-client';
import { Resources } from './types';

/**
 * ObjectsClient against a gRPC server written on plain node:http2 (not grpc-js): what any server
 * may send and grpc-js' does not, or not the same way, still reads the same.
 */
describe('ObjectsClient against a plain node:http2 gRPC server', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  /** The Status as binary metadata: base64, padded or not. */
  const statusHeader = (code: number, reason: 'NotFound' | 'Conflict', message: string, padded: boolean) => {
    const base64 = Buffer.from(JSON.stringify(failureStatus(code, reason, message))).toString('base64');
    return { [STATUS_METADATA_KEY]: padded ? base64 : base64.replace(/=+$/, '') };
  };

  const start = async () => {
    const server = http2.createServer();
    const halfClosed: string[] = [];
    server.on('stream', (stream, headers) => {
      const path = String(headers[':path']);
      const messages: Buffer[] = [];
      const frames = new FrameReader();
      stream.on('data', (chunk: Buffer) => frames.push(chunk, (message) => messages.push(message)));
      // Answer only once the client has half-closed: a server-streaming call must end its side too.
      stream.on('end', () => {
        halfClosed.push(path);
        const ok = { ':status': 200, 'content-type': 'application/grpc' };
        if (path === OBJECTS_SERVICE.Get!.path) {
          const request = OBJECTS_SERVICE.Get!.requestDeserialize(messages[0]!) as GetRequest;
          if (request.name === 'missing') {
            // Trailers-only: the status (and its metadata) in the one HEADERS frame, unpadded base64.
            stream.respond({ ...ok, 'grpc-status': '5', 'grpc-message': encodeURIComponent(`configmaps "missing" not found`), ...statusHeader(404, 'NotFound', 'configmaps "missing" not found', false) }, { endStream: true });
            return;
          }
          if (request.name === 'silent') {
            // Status OK, but no message.
            stream.respond({ ...ok, 'grpc-status': '0' }, { endStream: true });
            return;
          }
          if (request.name === 'timeout') {
            // Echoes the deadline the client sent.
            const object = Buffer.from(JSON.stringify({ metadata: { name: String(headers['grpc-timeout']) } }));
            stream.respond(ok, { waitForTrailers: true });
            stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
            stream.end(frame(OBJECTS_SERVICE.Get!.responseSerialize({ object })));
            return;
          }
          if (request.name === 'stale') {
            // Headers, no message, then the status in trailers, padded base64.
            stream.respond(ok, { waitForTrailers: true });
            stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '10', 'grpc-message': 'conflict', ...statusHeader(409, 'Conflict', 'the object has been modified', true) }));
            stream.end();
            return;
          }
          const object = Buffer.from(JSON.stringify({ metadata: { name: request.name, namespace: request.namespace } }));
          stream.respond(ok, { waitForTrailers: true });
          stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
          stream.end(frame(OBJECTS_SERVICE.Get!.responseSerialize({ object })));
          return;
        }
        if (path === OBJECTS_SERVICE.Watch!.path) {
          stream.respond(ok, { waitForTrailers: true });
          stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
          const event = (type: string, name: string) => frame(OBJECTS_SERVICE.Watch!.responseSerialize({ type, object: Buffer.from(JSON.stringify({ metadata: { name, resourceVersion: '7' } })) }));
          // Two events in one DATA chunk, then the stream ends with OK (as at timeoutSeconds).
          stream.end(Buffer.concat([event('ADDED', 'a'), event('DELETED', 'a')]));
          return;
        }
        if (path === OBJECTS_SERVICE.Delete!.path) {
          // Not gRPC at all: a plain HTTP 404, as from a server that is not the apiserver.
          stream.respond({ ':status': 404, 'content-type': 'text/plain' });
          stream.end('404 page not found\n');
          return;
        }
        stream.respond({ ...ok, 'grpc-status': '12', 'grpc-message': 'unknown method' }, { endStream: true });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => server.close());
    const client = new ObjectsClient(`127.0.0.1:${(server.address() as AddressInfo).port}`);
    cleanups.push(() => client.close());
    return { client, halfClosed };
  };

  it('reads an answer, and the Status in a trailers-only answer or in trailers, base64 padded or not', async () => {
    const { client } = await start();
    expect((await client.get(Resources.configmaps, 'default', 'here')).metadata).toEqual({ name: 'here', namespace: 'default' });
    const missing = await client.get(Resources.configmaps, 'default', 'missing').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ApiError);
    expect(isNotFound(missing)).toBe(true);
    expect((missing as ApiError).message).toBe('configmaps "missing" not found');
    const stale = await client.get(Resources.configmaps, 'default', 'stale').catch((e: unknown) => e);
    expect(isConflict(stale)).toBe(true);
    expect((stale as ApiError).message).toBe('the object has been modified');
  });

  it('a status without a Kubernetes Status is a 500 ApiError naming the gRPC code', async () => {
    const { client } = await start();
    const unknown = await client.list(Resources.configmaps).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(ApiError);
    expect((unknown as ApiError).code).toBe(500);
    expect((unknown as ApiError).message).toBe('an error on the server ("unknown method") has prevented the request from succeeding (grpc UNIMPLEMENTED)');
  });

  it('sends its deadline as grpc-timeout; reads an OK without a message, and an HTTP error without a gRPC status, as grpc-js does', async () => {
    const { client } = await start();
    expect((await client.get(Resources.configmaps, 'default', 'timeout', { timeoutMs: 4_000 })).metadata.name).toBe('4000m');
    const silent = await client.get(Resources.configmaps, 'default', 'silent').catch((e: unknown) => e);
    expect((silent as ApiError).message).toBe('an error on the server ("No message received") has prevented the request from succeeding (grpc UNIMPLEMENTED)');
    const notGrpc = await client.delete(Resources.configmaps, 'default', 'x').catch((e: unknown) => e);
    expect(notGrpc).toBeInstanceOf(ApiError);
    expect((notGrpc as ApiError).message).toBe('an error on the server ("Received HTTP status code 404") has prevented the request from succeeding (grpc UNIMPLEMENTED)');
  });

  it('a watch half-closes after its request, yields the events, and ends quietly with OK', async () => {
    const { client, halfClosed } = await start();
    const seen: string[] = [];
    for await (const event of client.watch(Resources.configmaps, { namespace: 'default' })) seen.push(`${event.type} ${String(event.object.metadata?.name)}`);
    expect(seen).toEqual(['ADDED a', 'DELETED a']);
    expect(halfClosed).toEqual([OBJECTS_SERVICE.Watch!.path]);
  });
});
