/**
 * The protobuf wire format by hand, for kubelab's codecs of the etcd API (etcd-codec*.ts) and the
 * object API (objects-codec*.ts): varints, 64-bit integers (as decimal strings or as numbers),
 * length-delimited bytes and strings, and skipping unknown fields. Values are converted as
 * protobufjs converts them (64-bit integers from numbers, decimal strings or Long-like objects; a
 * number out of range is clamped, a string wraps modulo 2^64), so the codecs take what
 * @grpc/proto-loader's fromObject takes. Writing is in two steps, so a message is one exact
 * allocation: an encoder adds up its fields' sizes, then a WireWriter of that size is filled.
 */

/** Wire types (the low three bits of a field's tag). */
export const VARINT = 0;
export const FIXED64 = 1;
export const LENGTH_DELIMITED = 2;
export const START_GROUP = 3;
export const END_GROUP = 4;
export const FIXED32 = 5;

/** A field's tag: its number and wire type. */
export function tag(field: number, wireType: number): number {
  return (field << 3) | wireType;
}

/** How deep messages may nest, as in protobufjs (a txn can hold a txn). */
export const RECURSION_LIMIT = 100;

const TWO_32 = 4294967296;
const TWO_63 = 9223372036854775808;
const TWO_64 = 18446744073709551616;

function outOfRange(at: number, wanted: number, length: number): RangeError {
  return new RangeError(`index out of range: ${at} + ${wanted} > ${length}`);
}

/**
 * Reads one message, from `pos` to `end` of a buffer (an embedded message is read by a reader of
 * its own span, or up to the end its length gives). Bytes fields are views into the buffer, as
 * protobufjs' are.
 */
export class WireReader {
  readonly buf: Buffer;
  pos: number;
  readonly end: number;
  private lo = 0;
  private hi = 0;

  constructor(bytes: Uint8Array, start = 0, end?: number) {
    this.buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
    this.end = end ?? this.buf.length;
  }

  /** A varint's low 32 bits, unsigned (tags, lengths, enums, bools). */
  uint32(): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos >= this.end) throw outOfRange(pos, 1, this.end);
    let b = buf[pos++]!;
    if (b < 0x80) {
      this.pos = pos;
      return b;
    }
    let value = b & 0x7f;
    for (let shift = 7; shift < 70; shift += 7) {
      if (pos >= this.end) throw outOfRange(pos, 1, this.end);
      b = buf[pos++]!;
      if (shift < 32) value |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return value >>> 0;
      }
    }
    throw new Error(`invalid varint encoding at offset ${this.pos}`);
  }

  /** An int32 (enums): the low 32 bits, signed. */
  int32(): number {
    return this.uint32() | 0;
  }

  bool(): boolean {
    return this.uint32() !== 0;
  }

  /** An int64 as a decimal string, as proto-loader gives it with `longs: String`. */
  int64(): string {
    const buf = this.buf;
    const b = this.pos < this.end ? buf[this.pos] : undefined;
    if (b !== undefined && b < 0x80) {
      this.pos++;
      return String(b);
    }
    this.varint64();
    return longToString(this.lo, this.hi, false);
  }

  /** An int64 as a number, as proto-loader gives it with `longs: Number` (past 2^53 it rounds). */
  int64Number(): number {
    this.varint64();
    const { lo, hi } = this;
    if (hi >>> 31) {
      const nlo = (~lo + 1) >>> 0;
      let nhi = ~hi >>> 0;
      if (nlo === 0) nhi = (nhi + 1) >>> 0;
      return -(nlo + nhi * TWO_32);
    }
    return lo + hi * TWO_32;
  }

  /** A uint64 as a decimal string. */
  uint64(): string {
    this.varint64();
    return longToString(this.lo, this.hi, true);
  }

  bytes(): Buffer {
    const length = this.uint32();
    const start = this.pos;
    const end = start + length;
    if (end > this.end) throw outOfRange(start, length, this.end);
    this.pos = end;
    return this.buf.subarray(start, end);
  }

  string(): string {
    const length = this.uint32();
    const start = this.pos;
    const end = start + length;
    if (end > this.end) throw outOfRange(start, length, this.end);
    this.pos = end;
    // Buffer's own utf8Slice (what toString calls after checking its arguments), as protobufjs reads strings.
    return (this.buf as Utf8Sliceable).utf8Slice(start, end);
  }

  /** A reader of the embedded message that comes next; `pos` moves past it. */
  message(): WireReader {
    const end = this.delimitedEnd();
    const inner = new WireReader(this.buf, this.pos, end);
    this.pos = end;
    return inner;
  }

  /** The end of a length-delimited field that starts here (a nested message or a packed list). */
  delimitedEnd(): number {
    const length = this.uint32();
    const end = this.pos + length;
    if (end > this.end) throw outOfRange(this.pos, length, this.end);
    return end;
  }

  /** A message or packed list must end exactly where its length said. */
  expectEnd(end: number): void {
    if (this.pos !== end) throw new RangeError(`index out of range: field ran to ${this.pos}, past its message's end at ${end}`);
  }

  /** Skips a field this codec does not know (newer etcd fields): proto3 readers ignore them. */
  skip(tag: number, depth = 0): void {
    switch (tag & 7) {
      case VARINT:
        this.varint64();
        return;
      case FIXED64:
        return this.advance(8);
      case LENGTH_DELIMITED:
        return this.advance(this.uint32());
      case START_GROUP: {
        if (depth > RECURSION_LIMIT) throw new Error('maximum nesting depth exceeded');
        for (;;) {
          const inner = this.uint32();
          if ((inner & 7) === END_GROUP) return;
          this.skip(inner, depth + 1);
        }
      }
      case FIXED32:
        return this.advance(4);
      default:
        throw new Error(`invalid wire type ${tag & 7} at offset ${this.pos}`);
    }
  }

  private advance(count: number): void {
    if (this.pos + count > this.end) throw outOfRange(this.pos, count, this.end);
    this.pos += count;
  }

  /** Reads a varint of up to 10 bytes into lo/hi (unsigned 32-bit halves). */
  private varint64(): void {
    const buf = this.buf;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    let b = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= this.end) throw outOfRange(pos, 1, this.end);
      b = buf[pos++]!;
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) return this.setLong(lo, 0, pos);
    }
    if (pos >= this.end) throw outOfRange(pos, 1, this.end);
    b = buf[pos++]!;
    lo |= (b & 0x0f) << 28;
    hi = (b & 0x7f) >> 4;
    if (b < 0x80) return this.setLong(lo, hi, pos);
    for (let shift = 3; shift < 32; shift += 7) {
      if (pos >= this.end) throw outOfRange(pos, 1, this.end);
      b = buf[pos++]!;
      hi |= (b & 0x7f) << shift;
      if (b < 0x80) return this.setLong(lo, hi, pos);
    }
    throw new Error(`invalid varint encoding at offset ${this.pos}`);
  }

  private setLong(lo: number, hi: number, pos: number): void {
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
    this.pos = pos;
  }
}

/** Node's Buffer has utf8Slice (undocumented, stable since Node 0.x; protobufjs relies on it too). */
interface Utf8Sliceable extends Buffer {
  utf8Slice(start: number, end: number): string;
}

/** The decimal text of a 64-bit integer given as two unsigned 32-bit halves. */
export function longToString(lo: number, hi: number, unsigned: boolean): string {
  if (hi === 0) return String(lo);
  if (!unsigned && hi >= 0x80000000) {
    // -2^32 < value < 0 still fits a double exactly; beyond that, BigInt.
    if (hi === 0xffffffff && lo !== 0) return String(lo - TWO_32);
    return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)).toString();
  }
  if (hi < 0x200000) return String(hi * TWO_32 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

/** The two unsigned 32-bit halves of the last value given to toLong (one shared pair: no allocation per field). */
export const long = { lo: 0, hi: 0 };

/** Decimal strings too long to convert through a double, converted once (member and cluster IDs, lease IDs). */
const longStrings = new Map<string, { lo: number; hi: number }>();
const LONG_STRINGS_KEPT = 4096;

/**
 * Converts an int64/uint64 field's value into `long`, as protobufjs' fromObject does (Long.fromValue):
 * a number is truncated and clamped to the type's range (NaN is 0); a decimal string wraps modulo 2^64;
 * a Long-like object gives its bits; a bigint wraps modulo 2^64.
 */
export function toLong(value: unknown, unsigned: boolean): void {
  if (typeof value === 'number') return longFromNumber(value, unsigned);
  if (typeof value === 'string') return longFromString(value, unsigned);
  if (typeof value === 'bigint') return longFromBigInt(value);
  if (typeof value === 'object' && value !== null) {
    const bits = value as { low?: number; high?: number };
    long.lo = Number(bits.low) >>> 0;
    long.hi = Number(bits.high) >>> 0;
    return;
  }
  long.lo = 0;
  long.hi = 0;
}

function longFromNumber(value: number, unsigned: boolean): void {
  if (value >>> 0 === value) {
    long.lo = value >>> 0;
    long.hi = 0;
    return;
  }
  if (Number.isNaN(value) || (unsigned && value < 0)) {
    long.lo = 0;
    long.hi = 0;
    return;
  }
  if (unsigned ? value >= TWO_64 : value + 1 >= TWO_63) {
    long.lo = 0xffffffff;
    long.hi = unsigned ? 0xffffffff : 0x7fffffff;
    return;
  }
  if (!unsigned && value <= -TWO_63) {
    long.lo = 0;
    long.hi = 0x80000000;
    return;
  }
  const whole = Math.trunc(value);
  const hi = Math.floor(whole / TWO_32);
  long.lo = (whole - hi * TWO_32) >>> 0;
  long.hi = hi >>> 0;
}

function longFromString(value: string, unsigned: boolean): void {
  if (value.length < 16) {
    const n = Number(value);
    // A string wraps ("-1" is 2^64-1 as a uint64), where a number would clamp: convert it as signed.
    if (Number.isSafeInteger(n)) return longFromNumber(n, false);
  }
  let known = longStrings.get(value);
  if (!known) {
    let big: bigint;
    try {
      big = BigInt(value);
    } catch {
      return longFromNumber(Number(value), unsigned);
    }
    big = BigInt.asUintN(64, big);
    known = { lo: Number(big & 0xffffffffn), hi: Number(big >> 32n) };
    if (longStrings.size >= LONG_STRINGS_KEPT) longStrings.clear();
    longStrings.set(value, known);
  }
  long.lo = known.lo;
  long.hi = known.hi;
}

function longFromBigInt(value: bigint): void {
  const big = BigInt.asUintN(64, value);
  long.lo = Number(big & 0xffffffffn);
  long.hi = Number(big >> 32n);
}

export function varint32Size(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

export function varint64Size(lo: number, hi: number): number {
  if (hi === 0) return varint32Size(lo);
  return hi < 0x8 ? 5 : hi < 0x400 ? 6 : hi < 0x20000 ? 7 : hi < 0x1000000 ? 8 : hi < 0x80000000 ? 9 : 10;
}

/** The UTF-8 length of a string (Buffer.byteLength is faster than a JavaScript loop even for short ones). */
export function utf8Length(value: string): number {
  return value.length === 0 ? 0 : Buffer.byteLength(value, 'utf8');
}

/** A length-delimited field of `length` bytes, with a one-byte tag (field numbers 1..15). */
export function delimitedSize(length: number): number {
  return 1 + varint32Size(length) + length;
}

/** A string or bytes field of `length` bytes with a one-byte tag, or nothing when empty (proto3). */
export function fieldSize(length: number): number {
  return length === 0 ? 0 : delimitedSize(length);
}

/** Writes one message into a buffer sized beforehand (the codec measures, then writes). */
export class WireWriter {
  readonly buf: Buffer;
  pos = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** An unsigned value below 2^32 (tags, lengths, non-negative enums). */
  varint32(value: number): void {
    const buf = this.buf;
    let pos = this.pos;
    while (value > 0x7f) {
      buf[pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    buf[pos++] = value;
    this.pos = pos;
  }

  varint64(lo: number, hi: number): void {
    const buf = this.buf;
    let pos = this.pos;
    while (hi) {
      buf[pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    while (lo > 0x7f) {
      buf[pos++] = (lo & 0x7f) | 0x80;
      lo >>>= 7;
    }
    buf[pos++] = lo;
    this.pos = pos;
  }

  /** A length-prefixed byte string. */
  bytes(value: Uint8Array): void {
    const length = value.length;
    this.varint32(length);
    if (length < 32) {
      const buf = this.buf;
      let pos = this.pos;
      for (let i = 0; i < length; i++) buf[pos++] = value[i]!;
      this.pos = pos;
    } else {
      this.buf.set(value, this.pos);
      this.pos += length;
    }
  }

  /** A length-prefixed UTF-8 string whose byte length the caller measured. */
  string(value: string, byteLength: number): void {
    this.varint32(byteLength);
    this.buf.write(value, this.pos, byteLength, 'utf8');
    this.pos += byteLength;
  }

  /** A string field with a one-byte tag whose UTF-8 length is `size` (nothing when empty, as proto3 writes it). */
  stringField(fieldTag: number, value: string, size: number): void {
    if (size === 0) return;
    this.buf[this.pos++] = fieldTag;
    this.varint32(size);
    const length = value.length;
    // As many bytes as characters: ASCII, copied by hand (cheaper than a call into C++ for short strings).
    if (size === length && length <= 64) {
      const buf = this.buf;
      const pos = this.pos;
      for (let i = 0; i < length; i++) buf[pos + i] = value.charCodeAt(i);
      this.pos = pos + length;
      return;
    }
    this.buf.write(value, this.pos, size, 'utf8');
    this.pos += size;
  }

  /** A bytes field with a one-byte tag (nothing when empty, unless `always`, as for a repeated field's items). */
  bytesField(fieldTag: number, value: Uint8Array, always = false): void {
    if (value.length === 0 && !always) return;
    this.buf[this.pos++] = fieldTag;
    this.bytes(value);
  }

  /** A bool field with a one-byte tag (nothing when false). */
  boolField(fieldTag: number, value: boolean): void {
    if (!value) return;
    this.buf[this.pos++] = fieldTag;
    this.buf[this.pos++] = 1;
  }

  /** The message, once every byte measured has been written. */
  finish(): Buffer {
    if (this.pos !== this.buf.length) throw new Error(`protobuf encoder: wrote ${this.pos} bytes of ${this.buf.length} measured`);
    return this.buf;
  }
}
