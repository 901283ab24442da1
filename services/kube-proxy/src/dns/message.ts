import * as dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, Packet } from 'dns-packet';

/** Response codes as the header carries them (RFC 1035 4.1.1). */
export const RCODE = Object.freeze({ NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 });
export type Rcode = keyof typeof RCODE;

/** The UDP payload a client without EDNS can take (RFC 1035). */
export const MIN_UDP_SIZE = 512;
/** The UDP payload the cluster DNS advertises and takes at most (the DNS flag day's 1232). */
export const SERVER_UDP_SIZE = 1232;

const OPCODE_QUERY = 0;
/** The OPCODE bits of the header's flags (RFC 1035 4.1.1). */
const OPCODE_MASK = 0xf << 11;

/** The answer to one question: its code and sections. */
export interface Reply {
  rcode: Rcode;
  /** Authoritative answer: set for the cluster zone. */
  authoritative: boolean;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
}

/** The EDNS UDP size a query announced, or undefined without an OPT record. */
export function ednsUdpSize(query: DecodedPacket): number | undefined {
  const opt = query.additionals?.find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;
  return opt ? Math.max(MIN_UDP_SIZE, opt.udpPayloadSize ?? MIN_UDP_SIZE) : undefined;
}

/** Whether the query is a standard query (opcode QUERY). */
export function isStandardQuery(query: DecodedPacket): boolean {
  return ((query.flags ?? 0) >> 11 & 0xf) === OPCODE_QUERY;
}

/**
 * The response packet to `query`: its id, opcode, question and RD bit, with an OPT record if the
 * query had one (RFC 6891). A NOTIMP answer to another opcode echoes that opcode, as CoreDNS's
 * (miekg/dns's SetRcode/SetReply) does.
 */
export function responsePacket(query: DecodedPacket, reply: Reply): Packet {
  let flags = RCODE[reply.rcode] | ((query.flags ?? 0) & OPCODE_MASK);
  if (reply.authoritative) flags |= dnsPacket.AUTHORITATIVE_ANSWER;
  if (query.flag_rd) flags |= dnsPacket.RECURSION_DESIRED;
  const additionals = [...reply.additionals];
  if (ednsUdpSize(query) !== undefined) additionals.push({ type: 'OPT', name: '.', udpPayloadSize: SERVER_UDP_SIZE, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] } as unknown as Answer);
  return { id: query.id, type: 'response', flags, questions: query.questions, answers: reply.answers, authorities: reply.authorities, additionals };
}

/**
 * Encodes a response to fit `maxSize` bytes (a UDP answer): if it does not, the additional
 * records go first (the OPT record stays), then answers from the end, and the TC bit tells the
 * client to ask again over TCP, as RFC 2181 9 and CoreDNS's Truncate do.
 */
export function encodeWithin(packet: Packet, maxSize: number): Buffer {
  const full = encodeResponse(packet);
  if (full.length <= maxSize) return full;
  const opt = (packet.additionals ?? []).filter((a) => a.type === 'OPT');
  const truncated: Packet = { ...packet, flags: (packet.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE, additionals: opt, authorities: [], answers: [...(packet.answers ?? [])] };
  while (truncated.answers!.length && dnsPacket.encodingLength(truncated) > maxSize) truncated.answers!.pop();
  return encodeResponse(truncated);
}

/**
 * dns-packet's encoding, with each question's class as the query had it: dns-packet decodes a
 * class it does not know as `UNKNOWN_<n>` but encodes that as 0, so the class is written back
 * into the question section here (a response echoes the question as it was asked).
 */
function encodeResponse(packet: Packet): Buffer {
  const buffer = dnsPacket.encode(packet);
  let offset = 12;
  for (const question of packet.questions ?? []) {
    offset = skipName(buffer, offset) + 2;
    const raw = /^UNKNOWN_(\d+)$/.exec(String(question.class ?? ''));
    if (raw) buffer.writeUInt16BE(Number(raw[1]) & 0xffff, offset);
    offset += 2;
  }
  return buffer;
}

/** The offset just after the encoded name at `offset` (its labels, or a compression pointer). */
function skipName(buffer: Buffer, offset: number): number {
  for (;;) {
    const length = buffer[offset]!;
    if (length === 0) return offset + 1;
    if ((length & 0xc0) === 0xc0) return offset + 2;
    offset += length + 1;
  }
}

/** The question's name as a lower-case name without the trailing dot (names compare case-insensitively). */
export function canonicalName(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}
