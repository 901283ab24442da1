import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';

/** A resolver to forward to. */
export interface Upstream {
  host: string;
  port: number;
}

/**
 * The `nameserver` lines of a resolv.conf (what CoreDNS's `forward . /etc/resolv.conf` reads),
 * each on port 53. A missing or unreadable file means no upstream (names outside the cluster
 * then get SERVFAIL).
 */
export function readResolvConf(path: string): Upstream[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return parseResolvConf(text);
}

export function parseResolvConf(text: string): Upstream[] {
  const upstreams: Upstream[] = [];
  for (const line of text.split('\n')) {
    const [keyword, address] = line.replace(/[#;].*/, '').trim().split(/\s+/);
    if (keyword !== 'nameserver' || !address) continue;
    const host = address.replace(/%.*$/, '');
    if (isIP(host)) upstreams.push({ host, port: 53 });
  }
  return upstreams;
}
