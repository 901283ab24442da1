import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PodIPAllocator } from './ipam';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function stateFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelab-ipam-'));
  dirs.push(dir);
  return path.join(dir, 'nested', 'ipam.json');
}

describe('PodIPAllocator', () => {
  it('hands out .2 upwards from the podCIDR, the same IP again to the same pod', () => {
    const ipam = new PodIPAllocator({ cidr: '127.244.3.0/24', stateFile: stateFile() });
    expect(ipam.allocate('a')).toBe('127.244.3.2');
    expect(ipam.allocate('b')).toBe('127.244.3.3');
    expect(ipam.allocate('a')).toBe('127.244.3.2');
    expect(ipam.get('b')).toBe('127.244.3.3');
    expect(ipam.get('c')).toBeUndefined();
  });

  it('does not hand a released IP out again at once (round robin), but reuses it once the range wraps', () => {
    const ipam = new PodIPAllocator({ cidr: '127.244.3.0/29', stateFile: stateFile() });
    // A /29 gives .2 .. .6.
    expect(['a', 'b', 'c'].map((p) => ipam.allocate(p))).toEqual(['127.244.3.2', '127.244.3.3', '127.244.3.4']);
    ipam.release('a');
    expect(ipam.get('a')).toBeUndefined();
    expect(ipam.allocate('d')).toBe('127.244.3.5');
    expect(ipam.allocate('e')).toBe('127.244.3.6');
    expect(ipam.allocate('f')).toBe('127.244.3.2');
  });

  it('fails as host-local does when the range is exhausted', () => {
    const ipam = new PodIPAllocator({ cidr: '127.244.3.0/30', stateFile: stateFile() });
    expect(ipam.allocate('a')).toBe('127.244.3.2');
    expect(() => ipam.allocate('b')).toThrow('failed to allocate for range 0: no IP addresses available in range set: 127.244.3.2-127.244.3.2');
    ipam.release('a');
    expect(ipam.allocate('b')).toBe('127.244.3.2');
  });

  it('a /24 has 253 pod IPs: .2 .. .254', () => {
    const ipam = new PodIPAllocator({ cidr: '127.244.3.0/24', stateFile: stateFile() });
    const ips = Array.from({ length: 253 }, (_, i) => ipam.allocate(`p${i}`));
    expect(ips[0]).toBe('127.244.3.2');
    expect(ips.at(-1)).toBe('127.244.3.254');
    expect(new Set(ips).size).toBe(253);
    expect(() => ipam.allocate('one-more')).toThrow(/no IP addresses available in range set: 127.244.3.2-127.244.3.254/);
  });

  it('persists: a new allocator on the same state file (a restarted kubelet) gives the same IPs and continues after the last', () => {
    const file = stateFile();
    const first = new PodIPAllocator({ cidr: '127.244.3.0/24', stateFile: file });
    first.allocate('a');
    first.allocate('b');
    first.release('a');
    const second = new PodIPAllocator({ cidr: '127.244.3.0/24', stateFile: file });
    expect(second.get('b')).toBe('127.244.3.3');
    expect(second.get('a')).toBeUndefined();
    expect(second.podUids()).toEqual(['b']);
    expect(second.allocate('c')).toBe('127.244.3.4');
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).allocations).toEqual({ b: '127.244.3.3', c: '127.244.3.4' });
  });

  it('drops remembered IPs outside a changed podCIDR, and refuses bad CIDRs', () => {
    const file = stateFile();
    new PodIPAllocator({ cidr: '127.244.3.0/24', stateFile: file }).allocate('a');
    expect(new PodIPAllocator({ cidr: '127.244.4.0/24', stateFile: file }).get('a')).toBeUndefined();
    expect(() => new PodIPAllocator({ cidr: '127.244.3.0', stateFile: file })).toThrow('invalid pod CIDR "127.244.3.0"');
    expect(() => new PodIPAllocator({ cidr: '127.244.3.0/31', stateFile: file })).toThrow('too small');
  });
});
