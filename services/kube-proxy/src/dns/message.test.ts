import * as dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { encodeWithin, responsePacket, type Reply } from './message';

const empty = (rcode: Reply['rcode']): Reply => ({ rcode, authoritative: false, answers: [], authorities: [], additionals: [] });

/** A query written byte by byte: `opcode` in the header, `qclass` as the question's class. */
function rawQuery(opcode: number, qclass: number): Buffer {
  const name = Buffer.concat([...'example.com'.split('.').map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label)])), Buffer.from([0])]);
  const buffer = Buffer.alloc(12 + name.length + 4);
  buffer.writeUInt16BE(0x1234, 0);
  buffer.writeUInt16BE((opcode << 11) | dnsPacket.RECURSION_DESIRED, 2);
  buffer.writeUInt16BE(1, 4);
  name.copy(buffer, 12);
  buffer.writeUInt16BE(1, 12 + name.length);
  buffer.writeUInt16BE(qclass, 12 + name.length + 2);
  return buffer;
}

describe('responsePacket', () => {
  it('echoes the opcode of a query it does not implement (NOTIMP)', () => {
    const query = dnsPacket.decode(rawQuery(5, 1)); // UPDATE
    const answer = encodeWithin(responsePacket(query, empty('NOTIMP')), 512);
    expect((answer.readUInt16BE(2) >> 11) & 0xf).toBe(5);
    expect(answer.readUInt16BE(2) & 0xf).toBe(4);
    expect(answer.readUInt16BE(0)).toBe(0x1234);
  });

  it('echoes a question class dns-packet does not know as it was asked', () => {
    const query = dnsPacket.decode(rawQuery(0, 42));
    const answer = encodeWithin(responsePacket(query, empty('NOERROR')), 512);
    const question = rawQuery(0, 42).subarray(12);
    expect(answer.subarray(12, 12 + question.length)).toEqual(question);
    // Known classes stay as they are (CH here), also after truncation.
    const ch = dnsPacket.decode(rawQuery(0, 3));
    expect(encodeWithin(responsePacket(ch, empty('NOERROR')), 512).subarray(12, 12 + question.length)).toEqual(rawQuery(0, 3).subarray(12));
  });
});
