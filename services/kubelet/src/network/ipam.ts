import * as fs from 'node:fs';
import * as path from 'node:path';

interface IPAMState {
  /** Pod UID -> IP. */
  allocations: Record<string, string>;
  /** The last IP handed out: the next search starts after it (host-local's round robin). */
  lastReserved?: string;
}

/**
 * Host-local IPAM (the CNI plugin's behaviour) over the node's podCIDR: the first address is the
 * network, the second the gateway, the last the broadcast, so a /24 hands out .2 .. .254. Addresses
 * go round robin (a released IP is not handed out again at once, so a stale endpoint does not
 * reach a new pod) and are kept in `stateFile`, so a restarted kubelet finds its pods' IPs.
 */
export class PodIPAllocator {
  private readonly first: number;
  private readonly last: number;
  private readonly stateFile: string;
  private state: IPAMState;
  /** The addresses in use, as numbers (the state's values). */
  private readonly used: Set<number>;
  private dirMade = false;

  constructor(options: { cidr: string; stateFile: string }) {
    const { network, prefix } = parseCIDR(options.cidr);
    const size = 2 ** (32 - prefix);
    if (size < 4) throw new Error(`pod CIDR ${options.cidr} is too small: it needs at least 4 addresses`);
    this.first = network + 2;
    this.last = network + size - 2;
    this.stateFile = options.stateFile;
    this.state = this.load();
    this.used = new Set(Object.values(this.state.allocations).map(toNumber));
  }

  /** The pod's IP, allocating one if it has none. Throws host-local's error when the range is full. */
  allocate(podUid: string): string {
    const existing = this.state.allocations[podUid];
    if (existing) return existing;
    const count = this.last - this.first + 1;
    const last = this.state.lastReserved ? toNumber(this.state.lastReserved) : this.last;
    const start = last >= this.first && last <= this.last ? last - this.first + 1 : 0;
    for (let i = 0; i < count; i++) {
      const candidate = this.first + ((start + i) % count);
      if (this.used.has(candidate)) continue;
      const ip = toIP(candidate);
      this.state.allocations[podUid] = ip;
      this.used.add(candidate);
      this.state.lastReserved = ip;
      this.save();
      return ip;
    }
    throw new Error(`failed to allocate for range 0: no IP addresses available in range set: ${toIP(this.first)}-${toIP(this.last)}`);
  }

  get(podUid: string): string | undefined {
    return this.state.allocations[podUid];
  }

  /** Frees the pod's IP (its pod terminated); unknown pods are ignored. */
  release(podUid: string): void {
    const ip = this.state.allocations[podUid];
    if (ip === undefined) return;
    delete this.state.allocations[podUid];
    this.used.delete(toNumber(ip));
    this.save();
  }

  /** The pods that hold an IP (to release the IPs of pods that are gone after a restart). */
  podUids(): string[] {
    return Object.keys(this.state.allocations);
  }

  private load(): IPAMState {
    let raw: string;
    try {
      raw = fs.readFileSync(this.stateFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { allocations: {} };
      throw error;
    }
    const parsed = JSON.parse(raw) as Partial<IPAMState>;
    const allocations: Record<string, string> = {};
    // Addresses outside the range (the podCIDR changed) are dropped.
    for (const [uid, ip] of Object.entries(parsed.allocations ?? {})) {
      const n = toNumber(ip);
      if (n >= this.first && n <= this.last) allocations[uid] = ip;
    }
    return { allocations, lastReserved: parsed.lastReserved };
  }

  /** Written to a temporary file and renamed: a crash leaves the old state or the new, never half. */
  private save(): void {
    if (!this.dirMade) fs.mkdirSync(path.dirname(this.stateFile), { recursive: true });
    this.dirMade = true;
    const tmp = `${this.stateFile}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.state));
    fs.renameSync(tmp, this.stateFile);
  }
}

function parseCIDR(cidr: string): { network: number; prefix: number } {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr.trim());
  const prefix = m ? Number(m[2]) : NaN;
  if (!m || prefix > 32 || m[1]!.split('.').some((o) => Number(o) > 255)) throw new Error(`invalid pod CIDR "${cidr}": want an IPv4 CIDR such as 127.244.1.0/24`);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { network: (toNumber(m[1]!) & mask) >>> 0, prefix };
}

function toNumber(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

function toIP(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}
