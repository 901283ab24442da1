import { inspect, isDeepStrictEqual } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadObjectsApi, loadObjectsProtoDefinition, OBJECTS_PROTO_OPTIONS } from './objects';
import { OBJECTS_SERVICE } from './objects-codec';

/**
 * The hand-written codec against @grpc/proto-loader (protobufjs), the reference it replaces:
 * random messages generated from the .proto's own descriptors go through both, in every
 * combination (ours → theirs, theirs → ours, ours → ours), and must come out as exactly the same
 * JavaScript values (same keys in the same order, Buffers as Buffers).
 */

const REFERENCE = loadObjectsProtoDefinition();
/** Every message's descriptor (the service's, and the ones they embed). */
const PACKAGE = protoLoader.loadSync('objects.proto', OBJECTS_PROTO_OPTIONS);

interface FieldDescriptor {
  name: string;
  number: number;
  label: string;
  type: string;
  typeName: string;
}

interface Codec {
  serialize: (value: unknown) => Buffer;
  deserialize: (bytes: Buffer) => unknown;
  descriptor: { name: string; field: FieldDescriptor[] };
}

/** Every message type with both codecs, collected from the methods that use it. */
function messageCodecs(): Map<string, { ours: Codec; theirs: Codec }> {
  const codecs = new Map<string, { ours: Codec; theirs: Codec }>();
  for (const [name, theirs] of Object.entries(REFERENCE)) {
    const ours = OBJECTS_SERVICE[name]!;
    const add = (type: protoLoader.MessageTypeDefinition<object, object>, o: [Codec['serialize'], Codec['deserialize']], t: [Codec['serialize'], Codec['deserialize']]) => {
      const descriptor = type.type as unknown as Codec['descriptor'];
      codecs.set(descriptor.name, { ours: { serialize: o[0], deserialize: o[1], descriptor }, theirs: { serialize: t[0], deserialize: t[1], descriptor } });
    };
    const t = theirs as grpc.MethodDefinition<unknown, unknown> & { requestType: protoLoader.MessageTypeDefinition<object, object>; responseType: protoLoader.MessageTypeDefinition<object, object> };
    add(t.requestType, [ours.requestSerialize, ours.requestDeserialize], [t.requestSerialize, t.requestDeserialize]);
    add(t.responseType, [ours.responseSerialize, ours.responseDeserialize], [t.responseSerialize, t.responseDeserialize]);
  }
  return codecs;
}

const CODECS = messageCodecs();

/** A small seeded generator (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRINGS = ['', 'a', 'pods', 'kube-system', 'é', 'ノード', '🚀 rocket', 'x'.repeat(63), 'y'.repeat(64), 'z'.repeat(65), 'ü'.repeat(70), 'w'.repeat(200), 'application/strategic-merge-patch+json'];
const INT64S = [0, 1, -1, 127, 128, 300, 16383, 16384, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 32, 2 ** 32 + 1, -(2 ** 32), 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 60, -(2 ** 60), 1.5, -1.5, 1e300, -1e300, Number.NaN];
const BYTE_LENGTHS = [0, 1, 2, 127, 128, 300, 16384, 70_000];

function pick<T>(rand: () => number, values: readonly T[]): T {
  return values[Math.floor(rand() * values.length)]!;
}

function randomBytes(rand: () => number): Buffer {
  const bytes = Buffer.alloc(pick(rand, BYTE_LENGTHS));
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rand() * 256);
  return bytes;
}

function randomValue(rand: () => number, field: FieldDescriptor): unknown {
  switch (field.type) {
    case 'TYPE_STRING':
      return rand() < 0.2 ? Array.from({ length: 1 + Math.floor(rand() * 30) }, () => String.fromCodePoint(Math.floor(rand() * 0xd7ff) + 1)).join('') : pick(rand, STRINGS);
    case 'TYPE_BYTES':
      return randomBytes(rand);
    case 'TYPE_BOOL':
      return rand() < 0.5;
    case 'TYPE_INT64':
      return rand() < 0.3 ? Math.floor((rand() - 0.5) * 2 ** 40) : pick(rand, INT64S);
    case 'TYPE_ENUM':
      return pick(rand, ['EVENT_TYPE_UNSPECIFIED', 'ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR', 0, 3, 9, -1]);
    case 'TYPE_MESSAGE':
      return rand() < 0.3 ? null : randomMessage(rand, (PACKAGE[`kubelab.objects.v1.${field.typeName}`] as protoLoader.MessageTypeDefinition<object, object>).type as unknown as Codec['descriptor']);
    default:
      throw new Error(`no generator for ${field.type}`);
  }
}

/** A message with each field set, left out, or set to null, at random. */
function randomMessage(rand: () => number, descriptor: Codec['descriptor']): Record<string, unknown> {
  const message: Record<string, unknown> = {};
  for (const field of descriptor.field) {
    const roll = rand();
    if (roll < 0.15) continue;
    if (roll < 0.2) {
      message[field.name] = undefined;
      continue;
    }
    message[field.name] = field.label === 'LABEL_REPEATED' ? Array.from({ length: Math.floor(rand() * 5) }, () => randomValue(rand, field)) : randomValue(rand, field);
  }
  return message;
}

/** Fields the .proto does not know, of every wire type, to be skipped by both. */
function unknownFields(rand: () => number): Buffer {
  const parts: number[][] = [
    [0x50, 0x96, 0x01], // 10: varint 150
    [0x59, 1, 2, 3, 4, 5, 6, 7, 8], // 11: fixed64
    [0x62, 3, 0x61, 0x62, 0x63], // 12: "abc"
    [0x6d, 1, 2, 3, 4], // 13: fixed32
    [0x73, 0x08, 0x01, 0x12, 0x01, 0x78, 0x74], // 14: group { 1: 1, 2: "x" }
    [0x80, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // 16: varint -1 (two-byte tag)
  ];
  return Buffer.from(parts.filter(() => rand() < 0.5).flat());
}

/** Same values, same classes (Buffer, not just Uint8Array) and the same key order as proto-loader's. */
function sameValue(actual: unknown, expected: unknown): boolean {
  if (!isDeepStrictEqual(actual, expected)) return false;
  if (expected === null || typeof expected !== 'object' || ArrayBuffer.isView(expected)) return true;
  if (Array.isArray(expected)) return expected.every((item, i) => sameValue((actual as unknown[])[i], item));
  const keys = Object.keys(expected);
  return isDeepStrictEqual(Object.keys(actual as object), keys) && keys.every((key) => sameValue((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key]));
}

/** Compared by hand (a diff of two 70 kB Buffers by the matcher would take minutes); a mismatch is shown abridged. */
function expectSameValue(actual: unknown, expected: unknown, input?: unknown): void {
  if (sameValue(actual, expected)) return;
  const show = (value: unknown) => inspect(value, { depth: 5, maxArrayLength: 8, maxStringLength: 60 });
  expect.fail(`codecs disagree\n  input:    ${show(input)}\n  expected: ${show(expected)}\n  actual:   ${show(actual)}`);
}

describe('the Objects service definition', () => {
  it('has the methods of objects.proto, with their paths and streaming', () => {
    const shape = (service: grpc.ServiceDefinition) =>
      Object.fromEntries(Object.entries(service).map(([name, m]) => [name, { path: m.path, requestStream: m.requestStream, responseStream: m.responseStream, originalName: m.originalName }]));
    expect(shape(OBJECTS_SERVICE)).toEqual(shape(REFERENCE));
  });

  it('covers every message of the service', () => {
    expect([...CODECS.keys()].sort()).toEqual(
      ['BindRequest', 'CreateRequest', 'DeleteRequest', 'DeleteResponse', 'GetRequest', 'ListRequest', 'ListResponse', 'ObjectResponse', 'PatchRequest', 'UpdateRequest', 'WatchEvent', 'WatchRequest'].sort(),
    );
  });
});

describe.each([...CODECS.keys()])('%s: hand-written codec vs proto-loader', (name) => {
  const { ours, theirs } = CODECS.get(name)!;

  it('decodes an empty message to the same defaults', () => {
    expectSameValue(ours.deserialize(Buffer.alloc(0)), theirs.deserialize(Buffer.alloc(0)));
  });

  it('agrees on 400 random messages, both ways', () => {
    const rand = random(name.length * 7919);
    for (let i = 0; i < 400; i++) {
      const message = randomMessage(rand, ours.descriptor);
      const expected = theirs.deserialize(theirs.serialize(message));
      expectSameValue(theirs.deserialize(ours.serialize(message)), expected, message);
      expectSameValue(ours.deserialize(theirs.serialize(message)), expected, message);
      expectSameValue(ours.deserialize(ours.serialize(message)), expected, message);
    }
  });

  it('reads merged messages and unknown fields as protobufjs does (last value wins, repeated fields add up)', () => {
    const rand = random(name.length * 104729);
    for (let i = 0; i < 200; i++) {
      const wire = Buffer.concat([unknownFields(rand), theirs.serialize(randomMessage(rand, ours.descriptor)), unknownFields(rand), theirs.serialize(randomMessage(rand, ours.descriptor)), unknownFields(rand)]);
      expectSameValue(ours.deserialize(wire), theirs.deserialize(wire), wire);
    }
  });

  it('refuses a truncated message', () => {
    const rand = random(3);
    let checked = 0;
    for (let i = 0; i < 50; i++) {
      const wire = theirs.serialize(randomMessage(rand, ours.descriptor));
      if (wire.length < 2) continue;
      const cut = wire.subarray(0, wire.length - 1);
      let theirError: unknown;
      try {
        theirs.deserialize(cut);
      } catch (error) {
        theirError = error;
      }
      if (theirError) {
        expect(() => ours.deserialize(cut)).toThrow();
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});

describe('edge cases of the JavaScript side', () => {
  const both = (name: string, message: unknown) => {
    const { ours, theirs } = CODECS.get(name)!;
    const expected = theirs.deserialize(theirs.serialize(message));
    expectSameValue(theirs.deserialize(ours.serialize(message)), expected);
    return expected;
  };

  it('takes what fromObject takes: numbers as strings, base64 for bytes, decimal strings and Longs for int64', () => {
    expect(both('GetRequest', { group: 5, version: true, name: 'web', extra: 'ignored' })).toMatchObject({ group: '5', version: 'true', name: 'web' });
    expect(both('CreateRequest', { object: Buffer.from('{"a":1}').toString('base64') })).toMatchObject({ object: Buffer.from('{"a":1}') });
    expect(both('CreateRequest', { object: [123, 125] })).toMatchObject({ object: Buffer.from('{}') });
    expect(both('CreateRequest', { object: new Uint8Array([123, 125]) })).toMatchObject({ object: Buffer.from('{}') });
    expect(both('ListRequest', { limit: '12345678901234' })).toMatchObject({ limit: 12345678901234 });
    expect(both('ListRequest', { limit: '-42' })).toMatchObject({ limit: -42 });
    expect(both('ListRequest', { limit: { low: 5, high: 1 } })).toMatchObject({ limit: 2 ** 32 + 5 });
    expect(both('ListRequest', { limit: 1e300 })).toMatchObject({ limit: 2 ** 63 });
  });

  it('keeps an optional field that is set to zero, and leaves it out when unset', () => {
    expect(both('DeleteRequest', { gracePeriodSeconds: 0 })).toMatchObject({ gracePeriodSeconds: 0, _gracePeriodSeconds: 'gracePeriodSeconds' });
    expect(both('DeleteRequest', { gracePeriodSeconds: undefined })).not.toHaveProperty('gracePeriodSeconds');
    expect(both('DeleteRequest', { preconditions: {} })).toMatchObject({ preconditions: { uid: '', resourceVersion: '' } });
  });

  it('refuses what fromObject refuses', () => {
    const { ours, theirs } = CODECS.get('DeleteRequest')!;
    expect(() => theirs.serialize({ preconditions: 'x' })).toThrow(TypeError);
    expect(() => ours.serialize({ preconditions: 'x' })).toThrow(TypeError);
    const list = CODECS.get('ListResponse')!;
    expect(() => list.theirs.serialize({ items: 'x' })).toThrow(TypeError);
    expect(() => list.ours.serialize({ items: 'x' })).toThrow(TypeError);
  });

  it('writes well-formed UTF-8 for a lone surrogate (protobufjs writes its WTF-8 bytes for short strings)', () => {
    const { ours } = CODECS.get('GetRequest')!;
    expect((ours.deserialize(ours.serialize({ name: 'a\ud800b' })) as { name: string }).name).toBe('a\ufffdb');
  });

  it('reads a bytes field as a Buffer view, never a copy of the whole message', () => {
    const { ours } = CODECS.get('ObjectResponse')!;
    const wire = ours.serialize({ object: Buffer.from('{"kind":"Pod"}') });
    const { object } = ours.deserialize(wire) as { object: Buffer };
    expect(Buffer.isBuffer(object)).toBe(true);
    expect(object.buffer).toBe(wire.buffer);
    expect(object.toString()).toBe('{"kind":"Pod"}');
  });
});

describe('over a real gRPC connection, against a proto-loader peer', () => {
  const events = [
    { type: 'ADDED', object: Buffer.from('{"metadata":{"name":"a"}}') },
    { type: 'BOOKMARK', object: Buffer.from('{"metadata":{"resourceVersion":"7"}}') },
  ];
  let server: grpc.Server;
  let port: number;
  const received: unknown[] = [];

  beforeAll(async () => {
    // The server speaks through proto-loader: the client (ours) must be understood by it.
    server = new grpc.Server();
    server.addService(REFERENCE, {
      Delete: (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        received.push(call.request);
        callback(null, { object: Buffer.from('{"gone":true}'), finished: true });
      },
      Watch: (call: grpc.ServerWritableStream<unknown, unknown>) => {
        received.push(call.request);
        for (const event of events) call.write(event);
        call.end();
      },
    });
    port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
  });

  afterAll(() => server.forceShutdown());

  it('carries a unary call and a server stream both ways', async () => {
    const client = new (loadObjectsApi().Objects)(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as grpc.Client & Record<string, (...args: unknown[]) => unknown>;
    try {
      const deleted = await new Promise((resolve, reject) => client.Delete!({ resource: 'pods', namespace: 'default', name: 'web', gracePeriodSeconds: 0, preconditions: { uid: 'u-1' } }, (error: Error | null, response: unknown) => (error ? reject(error) : resolve(response))));
      expectSameValue(deleted, { object: Buffer.from('{"gone":true}'), finished: true });
      expect(received[0]).toMatchObject({ resource: 'pods', namespace: 'default', name: 'web', gracePeriodSeconds: 0, preconditions: { uid: 'u-1', resourceVersion: '' } });

      const stream = client.Watch!({ resource: 'pods', resourceVersion: '5', allowBookmarks: true, timeoutSeconds: 30 }) as grpc.ClientReadableStream<unknown>;
      const got: unknown[] = [];
      for await (const event of stream) got.push(event);
      expectSameValue(got, events);
      expect(received[1]).toMatchObject({ resource: 'pods', resourceVersion: '5', allowBookmarks: true, timeoutSeconds: 30 });
    } finally {
      client.close();
    }
  });
});
