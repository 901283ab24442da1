import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../endpoint';
import { NO_OBJECTS, nodePortTransaction, type NodePortFrontend } from './node-port-rules';

const endpoint = (ip: string, port = 8080): Endpoint => ({ key: `${ip}:${port}`, ip, port, nodeName: 'n', ready: true, serving: true, terminating: false });
const frontend = (port: number, endpoints: Endpoint[], stickyMaxAgeSeconds?: number): NodePortFrontend => ({
  address: '127.18.0.3',
  port,
  route: { servicePort: `default/web:${port}`, endpoints, stickyMaxAgeSeconds },
});

describe('nodePortTransaction', () => {
  it('one DNAT rule per NodePort: one endpoint directly, several in turn; none for a NodePort without endpoints', () => {
    const { commands, objects } = nodePortTransaction('t', [frontend(30002, [endpoint('127.244.1.2'), endpoint('127.244.2.2')]), frontend(30001, [endpoint('127.244.1.3', 80)]), frontend(30003, [])], NO_OBJECTS);
    expect(commands).toEqual([
      'flush chain ip t nodeports',
      'add rule ip t nodeports ip daddr 127.18.0.3 tcp dport 30001 dnat ip to 127.244.1.3:80',
      'add rule ip t nodeports ip daddr 127.18.0.3 tcp dport 30002 dnat ip to numgen inc mod 2 map { 0 : 127.244.1.2 . 8080, 1 : 127.244.2.2 . 8080 }',
    ]);
    expect(objects).toEqual(NO_OBJECTS);
  });

  it('sessionAffinity ClientIP: a chain per endpoint that records the client in its set, a frontend chain that sends known clients back', () => {
    const { commands, objects } = nodePortTransaction('t', [frontend(30001, [endpoint('127.244.1.2'), endpoint('127.244.2.2')], 10800)], NO_OBJECTS);
    const [a, b] = [...objects.chains].filter((c) => c.startsWith('ep-'));
    const [fe] = [...objects.chains].filter((c) => c.startsWith('fe-'));
    expect(objects.sets).toEqual(new Set([a!.replace('ep-', 'aff-'), b!.replace('ep-', 'aff-')]));
    expect(commands).toEqual([
      'flush chain ip t nodeports',
      `add chain ip t ${fe}`,
      `add chain ip t ${a}`,
      `add set ip t ${a!.replace('ep-', 'aff-')} { type ipv4_addr; flags dynamic,timeout; timeout 10800s; }`,
      `add chain ip t ${b}`,
      `add set ip t ${b!.replace('ep-', 'aff-')} { type ipv4_addr; flags dynamic,timeout; timeout 10800s; }`,
      `add rule ip t ${a} meta l4proto tcp update @${a!.replace('ep-', 'aff-')} { ip saddr } dnat ip to 127.244.1.2:8080`,
      `add rule ip t ${b} meta l4proto tcp update @${b!.replace('ep-', 'aff-')} { ip saddr } dnat ip to 127.244.2.2:8080`,
      `add rule ip t ${fe} ip saddr @${a!.replace('ep-', 'aff-')} goto ${a}`,
      `add rule ip t ${fe} ip saddr @${b!.replace('ep-', 'aff-')} goto ${b}`,
      `add rule ip t ${fe} numgen inc mod 2 vmap { 0 : goto ${a}, 1 : goto ${b} }`,
      `add rule ip t nodeports ip daddr 127.18.0.3 tcp dport 30001 goto ${fe}`,
    ]);
  });

  it('keeps the affinity sets of endpoints that stay, and deletes the chains and sets of those gone, after emptying every chain', () => {
    const first = nodePortTransaction('t', [frontend(30001, [endpoint('127.244.1.2'), endpoint('127.244.2.2')], 60)], NO_OBJECTS);
    const second = nodePortTransaction('t', [frontend(30001, [endpoint('127.244.2.2')], 60)], first.objects);
    const kept = [...second.objects.sets];
    const gone = [...first.objects.sets].filter((s) => !second.objects.sets.has(s));
    expect(kept).toHaveLength(1);
    expect(gone).toHaveLength(1);
    expect(second.commands.filter((c) => c.startsWith('add set'))).toEqual([]);
    expect(second.commands.filter((c) => c.startsWith('add chain'))).toEqual([]);
    const flushes = second.commands.filter((c) => c.startsWith('flush chain'));
    expect(flushes).toHaveLength(1 + first.objects.chains.size);
    const lastFlush = second.commands.lastIndexOf(flushes[flushes.length - 1]!);
    const deletions = second.commands.filter((c) => c.startsWith('delete'));
    expect(deletions).toEqual([`delete chain ip t ${gone[0]!.replace('aff-', 'ep-')}`, `delete set ip t ${gone[0]}`]);
    expect(second.commands.indexOf(deletions[0]!)).toBeGreaterThan(lastFlush);

    const none = nodePortTransaction('t', [], second.objects);
    expect(none.objects).toEqual(NO_OBJECTS);
    expect(none.commands.filter((c) => c.startsWith('delete'))).toHaveLength(second.objects.chains.size + second.objects.sets.size);
  });

  it('a new affinity timeout is a new set (a set keeps the timeout it was made with)', () => {
    const first = nodePortTransaction('t', [frontend(30001, [endpoint('127.244.1.2')], 60)], NO_OBJECTS);
    const second = nodePortTransaction('t', [frontend(30001, [endpoint('127.244.1.2')], 120)], first.objects);
    expect([...second.objects.sets]).not.toEqual([...first.objects.sets]);
    expect(second.commands.some((c) => /^add set .* timeout 120s; }$/.test(c))).toBe(true);
  });
});
