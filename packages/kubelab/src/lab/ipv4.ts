/**
 * IPv4 addresses and CIDRs as numbers, for planning a lab's network: every range of a lab is an
 * IPv4 CIDR inside 127.0.0.0/8 (see docs/networking.md).
 */
export interface Cidr {
  /** The normalised text, host bits cleared ("127.18.0.0/16"). */
  text: string;
  /** The network address as a number. */
  base: number;
  prefix: number;
  /** How many addresses the range spans (2^(32 - prefix)). */
  size: number;
}

export function parseIPv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text.trim());
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return octets.reduce((n, o) => n * 256 + o, 0);
}

export function formatIPv4(n: number): string {
  return [Math.floor(n / 2 ** 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Parses "a.b.c.d/p" (host bits are cleared, as Go's net.ParseCIDR does); throws with `what` in the message. */
export function parseCidr(text: string, what: string): Cidr {
  const [address, prefixText, extra] = String(text).trim().split('/');
  const ip = address === undefined ? undefined : parseIPv4(address);
  const prefix = prefixText !== undefined && /^\d{1,2}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (ip === undefined || extra !== undefined || !(prefix >= 0 && prefix <= 32)) {
    throw new Error(`invalid ${what} "${text}": expected an IPv4 CIDR such as 127.18.0.0/16`);
  }
  const size = 2 ** (32 - prefix);
  const base = ip - (ip % size);
  return { text: `${formatIPv4(base)}/${prefix}`, base, prefix, size };
}

export function cidrContains(cidr: Cidr, ip: number): boolean {
  return ip >= cidr.base && ip < cidr.base + cidr.size;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + b.size && b.base < a.base + a.size;
}

/** The n-th address of a range (0: the network address). */
export function nthAddress(cidr: Cidr, n: number): string {
  return formatIPv4(cidr.base + n);
}

/** The i-th sub-range of `prefix` bits inside `cidr` (the pod CIDR of node i, for example). */
export function subnet(cidr: Cidr, prefix: number, i: number): Cidr {
  const size = 2 ** (32 - prefix);
  const base = cidr.base + i * size;
  return { text: `${formatIPv4(base)}/${prefix}`, base, prefix, size };
}

/** 127.0.0.0/8: the loopback network, all of it local on Linux, where every lab address lives. */
export const LOOPBACK: Cidr = parseCidr('127.0.0.0/8', 'loopback network');
