/**
 * Just enough of the protobuf wire format for the benchmark client: length-delimited fields out,
 * and a walk over the fields of a message in. Requests are a few bytes fields; the benchmark
 * must not spend its CPU on a general-purpose codec, or it measures the client, not the server.
 */
export function lengthDelimited(field: number, body: Buffer): Buffer[] {
  return [Buffer.from([(field << 3) | 2]), varint(body.length), body];
}

export function message(...fields: Buffer[][]): Buffer {
  return Buffer.concat(fields.flat());
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  while (value > 0x7f) {
    bytes.push((value & 0x7f) | 0x80);
    value = Math.floor(value / 128);
  }
  bytes.push(value);
  return Buffer.from(bytes);
}

/** Calls `visit` for each top-level field: varints as numbers, length-delimited fields as buffers. */
export function forEachField(buf: Buffer, visit: (field: number, value: number | Buffer) => void): void {
  let at = 0;
  const readVarint = (): number => {
    let result = 0;
    let scale = 1;
    for (;;) {
      const byte = buf[at++]!;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 128;
    }
  };
  while (at < buf.length) {
    const tag = readVarint();
    const field = Math.floor(tag / 8);
    switch (tag & 7) {
      case 0:
        visit(field, readVarint());
        break;
      case 2: {
        const length = readVarint();
        visit(field, buf.subarray(at, at + length));
        at += length;
        break;
      }
      case 1:
        at += 8;
        break;
      case 5:
        at += 4;
        break;
      default:
        throw new Error(`unsupported wire type ${tag & 7}`);
    }
  }
}
