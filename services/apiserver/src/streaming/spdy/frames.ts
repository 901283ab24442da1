/**
 * SPDY/3.1 framing (the wire under kubectl's `port-forward` and its SPDY fallback for `exec`):
 * every frame is an 8-byte header and a payload. A control frame starts with the control bit,
 * the version (3) and its type; a data frame with a 31-bit stream id. Flags and a 24-bit length
 * follow. Header blocks inside SYN_STREAM / SYN_REPLY / HEADERS are zlib-compressed with a
 * context that lives as long as the connection (header-compression.ts); here they stay bytes.
 */

export const SPDY_VERSION = 3;

/** FIN on a data frame or a SYN_STREAM / SYN_REPLY / HEADERS: the sender has finished the stream. */
export const FLAG_FIN = 0x01;
/** SYN_STREAM only: the receiver must not send on this stream. */
export const FLAG_UNIDIRECTIONAL = 0x02;

export const ControlType = {
  SynStream: 1,
  SynReply: 2,
  RstStream: 3,
  Settings: 4,
  Ping: 6,
  GoAway: 7,
  Headers: 8,
  WindowUpdate: 9,
} as const;

/** RST_STREAM status codes. */
export const RstStatus = {
  ProtocolError: 1,
  InvalidStream: 2,
  RefusedStream: 3,
  UnsupportedVersion: 4,
  Cancel: 5,
  InternalError: 6,
  FlowControlError: 7,
  StreamInUse: 8,
  StreamAlreadyClosed: 9,
  FrameTooLarge: 11,
} as const;

export type Frame =
  | { type: 'DATA'; streamId: number; flags: number; data: Buffer }
  | { type: 'SYN_STREAM'; streamId: number; associatedStreamId: number; priority: number; flags: number; headerBlock: Buffer }
  | { type: 'SYN_REPLY'; streamId: number; flags: number; headerBlock: Buffer }
  | { type: 'RST_STREAM'; streamId: number; status: number }
  | { type: 'SETTINGS'; flags: number; settings: Array<{ flags: number; id: number; value: number }> }
  | { type: 'PING'; id: number }
  | { type: 'GOAWAY'; lastGoodStreamId: number; status: number }
  | { type: 'HEADERS'; streamId: number; flags: number; headerBlock: Buffer }
  | { type: 'WINDOW_UPDATE'; streamId: number; deltaWindowSize: number }
  | { type: 'UNKNOWN'; controlType: number; flags: number; payload: Buffer };

/** A frame that cannot be read: the connection is broken (GOAWAY with PROTOCOL_ERROR). */
export class SpdyProtocolError extends Error {
  override readonly name = 'SpdyProtocolError';
}

/** The longest payload a frame can carry (24-bit length). */
export const MAX_FRAME_PAYLOAD = 0xffffff;

/**
 * Reads one frame at `offset`; undefined when the buffer does not hold all of it yet.
 * `size` is how many bytes the frame took.
 */
export function readFrame(buffer: Buffer, offset = 0): { frame: Frame; size: number } | undefined {
  if (buffer.length - offset < 8) return undefined;
  const first = buffer.readUInt32BE(offset);
  const flags = buffer[offset + 4]!;
  const length = buffer.readUIntBE(offset + 5, 3);
  if (buffer.length - offset < 8 + length) return undefined;
  const payload = buffer.subarray(offset + 8, offset + 8 + length);
  const size = 8 + length;
  if ((first & 0x80000000) === 0) {
    const streamId = first & 0x7fffffff;
    if (streamId === 0) throw new SpdyProtocolError('stream id zero is disallowed');
    return { frame: { type: 'DATA', streamId, flags, data: payload }, size };
  }
  const version = (first >>> 16) & 0x7fff;
  if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
  const controlType = first & 0xffff;
  const need = (n: number) => {
    if (length < n) throw new SpdyProtocolError(`control frame ${controlType} too short (${length} bytes)`);
  };
  const id31 = (at: number) => payload.readUInt32BE(at) & 0x7fffffff;
  switch (controlType) {
    case ControlType.SynStream:
      need(10);
      return { frame: { type: 'SYN_STREAM', streamId: id31(0), associatedStreamId: id31(4), priority: payload[8]! >> 5, flags, headerBlock: payload.subarray(10) }, size };
    case ControlType.SynReply:
      need(4);
      return { frame: { type: 'SYN_REPLY', streamId: id31(0), flags, headerBlock: payload.subarray(4) }, size };
    case ControlType.RstStream:
      need(8);
      return { frame: { type: 'RST_STREAM', streamId: id31(0), status: payload.readUInt32BE(4) }, size };
    case ControlType.Settings: {
      need(4);
      const count = payload.readUInt32BE(0);
      need(4 + count * 8);
      const settings = [];
      for (let i = 0; i < count; i++) {
        const at = 4 + i * 8;
        settings.push({ flags: payload[at]!, id: payload.readUIntBE(at + 1, 3), value: payload.readUInt32BE(at + 4) });
      }
      return { frame: { type: 'SETTINGS', flags, settings }, size };
    }
    case ControlType.Ping:
      need(4);
      return { frame: { type: 'PING', id: payload.readUInt32BE(0) }, size };
    case ControlType.GoAway:
      need(8);
      return { frame: { type: 'GOAWAY', lastGoodStreamId: id31(0), status: payload.readUInt32BE(4) }, size };
    case ControlType.Headers:
      need(4);
      return { frame: { type: 'HEADERS', streamId: id31(0), flags, headerBlock: payload.subarray(4) }, size };
    case ControlType.WindowUpdate:
      need(8);
      return { frame: { type: 'WINDOW_UPDATE', streamId: id31(0), deltaWindowSize: payload.readUInt32BE(4) & 0x7fffffff }, size };
    default:
      return { frame: { type: 'UNKNOWN', controlType, flags, payload }, size };
  }
}

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  if (payload.length > MAX_FRAME_PAYLOAD) throw new RangeError('SPDY frame payload too large');
  const header = Buffer.alloc(8);
  header.writeUInt32BE((0x8000 | SPDY_VERSION) * 0x10000 + type, 0);
  header[4] = flags;
  header.writeUIntBE(payload.length, 5, 3);
  return Buffer.concat([header, payload]);
}

function u32(...values: number[]): Buffer {
  const buffer = Buffer.alloc(values.length * 4);
  values.forEach((value, i) => buffer.writeUInt32BE(value >>> 0, i * 4));
  return buffer;
}

/** A DATA frame (at most MAX_FRAME_PAYLOAD bytes; split larger writes). */
export function encodeData(streamId: number, data: Uint8Array, fin = false): Buffer {
  if (data.length > MAX_FRAME_PAYLOAD) throw new RangeError('SPDY frame payload too large');
  const header = Buffer.alloc(8);
  header.writeUInt32BE(streamId & 0x7fffffff, 0);
  header[4] = fin ? FLAG_FIN : 0;
  header.writeUIntBE(data.length, 5, 3);
  return Buffer.concat([header, data]);
}

export function encodeSynStream(streamId: number, headerBlock: Buffer, options: { flags?: number; associatedStreamId?: number; priority?: number } = {}): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt32BE(streamId & 0x7fffffff, 0);
  fixed.writeUInt32BE((options.associatedStreamId ?? 0) & 0x7fffffff, 4);
  fixed[8] = ((options.priority ?? 0) & 0x7) << 5;
  return controlFrame(ControlType.SynStream, options.flags ?? 0, Buffer.concat([fixed, headerBlock]));
}

export function encodeSynReply(streamId: number, headerBlock: Buffer, flags = 0): Buffer {
  return controlFrame(ControlType.SynReply, flags, Buffer.concat([u32(streamId & 0x7fffffff), headerBlock]));
}

export function encodeHeaders(streamId: number, headerBlock: Buffer, flags = 0): Buffer {
  return controlFrame(ControlType.Headers, flags, Buffer.concat([u32(streamId & 0x7fffffff), headerBlock]));
}

export function encodeRstStream(streamId: number, status: number): Buffer {
  return controlFrame(ControlType.RstStream, 0, u32(streamId & 0x7fffffff, status));
}

export function encodeSettings(settings: Array<{ flags?: number; id: number; value: number }>, flags = 0): Buffer {
  const payload = Buffer.alloc(4 + settings.length * 8);
  payload.writeUInt32BE(settings.length, 0);
  settings.forEach((setting, i) => {
    payload[4 + i * 8] = setting.flags ?? 0;
    payload.writeUIntBE(setting.id, 5 + i * 8, 3);
    payload.writeUInt32BE(setting.value >>> 0, 8 + i * 8);
  });
  return controlFrame(ControlType.Settings, flags, payload);
}

export function encodePing(id: number): Buffer {
  return controlFrame(ControlType.Ping, 0, u32(id));
}

export function encodeGoAway(lastGoodStreamId: number, status = 0): Buffer {
  return controlFrame(ControlType.GoAway, 0, u32(lastGoodStreamId & 0x7fffffff, status));
}

export function encodeWindowUpdate(streamId: number, deltaWindowSize: number): Buffer {
  return controlFrame(ControlType.WindowUpdate, 0, u32(streamId & 0x7fffffff, deltaWindowSize & 0x7fffffff));
}

/** Header names (lowercase) to their values; several values of one name travel NUL-separated. */
export type SpdyHeaders = Record<string, string[]>;

/** The uncompressed header block: a count, then length-prefixed names and values (32-bit lengths in SPDY/3). */
export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [];
  const names = Object.keys(headers);
  parts.push(u32(names.length));
  for (const name of names) {
    const key = Buffer.from(name.toLowerCase(), 'utf8');
    const value = Buffer.from(headers[name]!.join('\0'), 'utf8');
    parts.push(u32(key.length), key, u32(value.length), value);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(block: Buffer): SpdyHeaders {
  const headers: SpdyHeaders = {};
  const need = (at: number, n: number) => {
    if (at + n > block.length) throw new SpdyProtocolError('truncated header block');
  };
  need(0, 4);
  const count = block.readUInt32BE(0);
  let at = 4;
  for (let i = 0; i < count; i++) {
    need(at, 4);
    const nameLength = block.readUInt32BE(at);
    need(at + 4, nameLength + 4);
    const name = block.toString('utf8', at + 4, at + 4 + nameLength).toLowerCase();
    at += 4 + nameLength;
    const valueLength = block.readUInt32BE(at);
    need(at + 4, valueLength);
    const value = block.toString('utf8', at + 4, at + 4 + valueLength);
    at += 4 + valueLength;
    (headers[name] ??= []).push(...value.split('\0'));
  }
  return headers;
}
