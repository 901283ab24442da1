/**
 * The few pieces of the protobuf wire format the object API's codec (objects-codec*.ts) needs:
 * varints, 64-bit integers as JavaScript numbers, strings and bytes, and skipping fields it does
 * not know. Writing is in two steps, so a message is one exact allocation: the encoder adds up
 * `*Size` of its fields, then `write*` fills the buffer. Every field number of objects.proto is
 * below 16, so a tag is always one byte.
 *
 * Values are taken as protobufjs' fromObject takes them (what @grpc/proto-loader did before): a
 * string field turns whatever it is given into a string, a 64-bit integer comes from a number
 * (truncated; NaN is 0; out of range is clamped), a decimal string (wrapping modulo 2^64), a
 * bigint or a Long-like {low, high}. Decoding gives what proto-loader gives with `longs: Number`.
 */

/** Wire types: the low three bits of a tag. */
export const VARINT = 0;
export const FIXED64 = 1;
export const LENGTH_DELIMITED = 2;
export const START_GROUP = 3;
export const END_GROUP = 4;
export const FIXED32 = 5;

const TWO_32 = 4294967296;
const TWO_63 = 9223372036854775808;

/** The one-byte tag of a field (field numbers 1..15). */
export function tag(field: number, wireType: number): number {
  return (field << 3) | wireType;
}

// ---------------------------------------------------------------------------------------------
// Normalising what the caller hands in (as protobufjs' fromObject does).

/** A string field: unset (null/undefined) is '', anything else `String(value)`. */
export function text(value: unknown): string {
  return typeof value === 'string' ? value : value == null ? '' : String(value);
}

/** A bytes field: a Uint8Array as it is, a string as base64 (as protobufjs reads it), an array of numbers copied. */
export function bytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value == null) return EMPTY;
  if (typeof value === 'string') return Buffer.from(value, 'base64');
  if (typeof (value as ArrayLike<number>).length === 'number') return Buffer.from(value as ArrayLike<number>);
  return EMPTY;
}

const EMPTY = new Uint8Array(0);

/** A 64-bit signed integer as two 32-bit halves (two's complement); module state, read right after. */
let bitsLo = 0;
let bitsHi = 0;

/**
 * Splits an int64 value into bitsLo/bitsHi the way Long.fromValue does, and tells whether it is
 * zero (proto3 writes nothing for a zero).
 */
export function int64Bits(value: unknown): boolean {
  if (typeof value === 'number') {
    numberBits(value);
  } else if (typeof value === 'string') {
    if (/^\s*[-+]?\d+\s*$/.test(value)) bigintBits(BigInt(value.trim()));
    else numberBits(Number(value));
  } else if (typeof value === 'bigint') {
    bigintBits(value);
  } else if (value !== null && typeof value === 'object' && 'low' in value && 'high' in value) {
    bitsLo = (value as { low: number }).low >>> 0;
    bitsHi = (value as { high: number }).high >>> 0;
  } else {
    bitsLo = bitsHi = 0;
  }
  return bitsLo !== 0 || bitsHi !== 0;
}

function numberBits(value: number): void {
  if (Number.isNaN(value)) {
    bitsLo = bitsHi = 0;
  } else if (value <= -TWO_63) {
    bitsLo = 0;
    bitsHi = 0x80000000;
  } else if (value + 1 >= TWO_63) {
    bitsLo = 0xffffffff;
    bitsHi = 0x7fffffff;
  } else {
    const negative = value < 0;
    const magnitude = negative ? -value : value;
    let lo = (magnitude % TWO_32) >>> 0;
    let hi = (magnitude / TWO_32) >>> 0;
    if (negative) {
      lo = (~lo + 1) >>> 0;
      hi = ~hi >>> 0;
      if (lo === 0) hi = (hi + 1) >>> 0;
    }
    bitsLo = lo;
    bitsHi = hi;
  }
}

function bigintBits(value: bigint): void {
  const wrapped = BigInt.asUintN(64, value);
  bitsLo = Number(wrapped & 0xffffffffn);
  bitsHi = Number(wrapped >> 32n);
}

// ---------------------------------------------------------------------------------------------
// Sizes.

export function varintSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

/** The size of the varint of the last int64Bits. */
export function int64Size(): number {
  let lo = bitsLo;
  let hi = bitsHi;
  let size = 1;
  while (hi !== 0) {
    size++;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  while (lo > 0x7f) {
    size++;
    lo >>>= 7;
  }
  return size;
}

/** The UTF-8 length of a string (Buffer.byteLength is faster than a JavaScript loop even for short ones). */
export function utf8Length(value: string): number {
  return value.length === 0 ? 0 : Buffer.byteLength(value, 'utf8');
}

/** A length-delimited field of `length` bytes, tag included. */
export function delimitedSize(length: number): number {
  return 1 + varintSize(length) + length;
}

/** A string or bytes field of `length` bytes, or nothing when empty (proto3). */
export function fieldSize(length: number): number {
  return length === 0 ? 0 : delimitedSize(length);
}

/** A bytes field, or nothing when empty (proto3). */
export function bytesFieldSize(value: Uint8Array): number {
  return value.length === 0 ? 0 : delimitedSize(value.length);
}

// ---------------------------------------------------------------------------------------------
// Writing: each returns the position after what it wrote.

export function writeVarint(buf: Buffer, pos: number, value: number): number {
  while (value > 0x7f) {
    buf[pos++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  buf[pos++] = value;
  return pos;
}

/** The varint of the last int64Bits. */
export function writeInt64(buf: Buffer, pos: number): number {
  let lo = bitsLo;
  let hi = bitsHi;
  while (hi !== 0) {
    buf[pos++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  return writeVarint(buf, pos, lo);
}

/** A string field whose UTF-8 length is `size` (skipped when empty). */
export function writeStringField(buf: Buffer, pos: number, fieldTag: number, value: string, size: number): number {
  if (size === 0) return pos;
  buf[pos++] = fieldTag;
  pos = writeVarint(buf, pos, size);
  const length = value.length;
  // As many bytes as characters: ASCII, copied by hand (cheaper than a call into C++ for short strings).
  if (size === length && length <= 64) {
    for (let i = 0; i < length; i++) buf[pos + i] = value.charCodeAt(i);
    return pos + length;
  }
  return pos + buf.write(value, pos, size, 'utf8');
}

/** A bytes field (skipped when empty unless `always`, as for the items of a repeated field). */
export function writeBytesField(buf: Buffer, pos: number, fieldTag: number, value: Uint8Array, always = false): number {
  if (value.length === 0 && !always) return pos;
  buf[pos++] = fieldTag;
  pos = writeVarint(buf, pos, value.length);
  buf.set(value, pos);
  return pos + value.length;
}

/** A bool field (skipped when false). */
export function writeBoolField(buf: Buffer, pos: number, fieldTag: number, value: boolean): number {
  if (!value) return pos;
  buf[pos] = fieldTag;
  buf[pos + 1] = 1;
  return pos + 2;
}

// ---------------------------------------------------------------------------------------------
// Reading.

/** What a decoder walks: one message, from `pos` to `end` of `buf`. */
export class WireReader {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly end: number,
  ) {}

  static of(bytes: Uint8Array): WireReader {
    const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return new WireReader(buf, 0, buf.length);
  }

  /** A varint's low 32 bits, unsigned (tags, lengths, bools, enums). */
  uint32(): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos >= this.end) throw outOfRange(pos, this.end);
    let b = buf[pos++]!;
    if (b < 0x80) {
      this.pos = pos;
      return b;
    }
    let value = b & 0x7f;
    for (let shift = 7; shift < 70; shift += 7) {
      if (pos >= this.end) throw outOfRange(pos, this.end);
      b = buf[pos++]!;
      if (shift < 32) value |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return value >>> 0;
      }
    }
    throw new Error(`invalid varint encoding at offset ${this.pos}`);
  }

  /** An int64 as a number, as protobufjs' LongBits.toNumber gives it (past 2^53 it rounds). */
  int64(): number {
    const buf = this.buf;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    let b = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (pos >= this.end) throw outOfRange(pos, this.end);
      b = buf[pos++]!;
      if (shift < 28) lo |= (b & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi = (b & 0x7f) >>> 4;
      } else hi |= (b & 0x7f) << (shift - 32);
      if (b < 0x80) {
        this.pos = pos;
        lo >>>= 0;
        hi >>>= 0;
        if (hi >>> 31) {
          lo = (~lo + 1) >>> 0;
          hi = ~hi >>> 0;
          if (lo === 0) hi = (hi + 1) >>> 0;
          return -(lo + hi * TWO_32);
        }
        return lo + hi * TWO_32;
      }
    }
    throw new Error(`invalid varint encoding at offset ${this.pos}`);
  }

  /** The start of a length-delimited field's content; `pos` moves past it. */
  private delimited(): number {
    const length = this.uint32();
    const start = this.pos;
    if (start + length > this.end) throw outOfRange(start + length, this.end);
    this.pos = start + length;
    return start;
  }

  string(): string {
    const start = this.delimited();
    // Buffer's own utf8Slice (what toString calls after checking its arguments), as protobufjs reads strings.
    return (this.buf as Utf8Sliceable).utf8Slice(start, this.pos);
  }

  /** A bytes field: a view into the message, as protobufjs gives it. */
  bytes(): Buffer {
    const start = this.delimited();
    return this.buf.subarray(start, this.pos);
  }

  /** A reader of the embedded message that comes next. */
  message(): WireReader {
    const start = this.delimited();
    return new WireReader(this.buf, start, this.pos);
  }

  /** Skips the field whose tag was just read, whatever its wire type (as protobufjs' skipType). */
  skip(fieldTag: number): void {
    switch (fieldTag & 7) {
      case VARINT:
        this.uint32();
        return;
      case FIXED64:
        return this.advance(8);
      case LENGTH_DELIMITED:
        this.delimited();
        return;
      case START_GROUP:
        for (;;) {
          const inner = this.uint32();
          if ((inner & 7) === END_GROUP) return;
          this.skip(inner);
        }
      case FIXED32:
        return this.advance(4);
      default:
        throw new Error(`invalid wire type ${fieldTag & 7} at offset ${this.pos}`);
    }
  }

  private advance(count: number): void {
    if (this.pos + count > this.end) throw outOfRange(this.pos + count, this.end);
    this.pos += count;
  }
}

/** Node's Buffer has utf8Slice (undocumented, stable since Node 0.x; protobufjs relies on it too). */
interface Utf8Sliceable extends Buffer {
  utf8Slice(start: number, end: number): string;
}

function outOfRange(at: number, end: number): RangeError {
  return new RangeError(`index out of range: ${at} > ${end}`);
}
