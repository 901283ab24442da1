import type { Answer } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { loadBalance } from './loadbalance';
import type { Reply } from './message';

const empty = (rcode: Reply['rcode']): Reply => ({ rcode, authoritative: false, answers: [], authorities: [], additionals: [] });

describe('loadBalance', () => {
  const a = (i: number): Answer => ({ type: 'A', name: 'db.default.svc.cluster.local', ttl: 30, data: `10.0.0.${i}` });

  it('shuffles the A records of an answer, the CNAMEs first in their order', () => {
    const cnames: Answer[] = [
      { type: 'CNAME', name: 'x.default.svc.cluster.local', ttl: 30, data: 'y.example.com' },
      { type: 'CNAME', name: 'y.example.com', ttl: 30, data: 'db.default.svc.cluster.local' },
    ];
    const reply: Reply = { ...empty('NOERROR'), answers: [...cnames, ...Array.from({ length: 8 }, (_, i) => a(i + 1))] };
    const orders = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const answers = loadBalance(reply).answers;
      expect(answers.slice(0, 2)).toEqual(cnames);
      expect(answers.slice(2).map((r) => (r as { data: string }).data).sort()).toEqual(reply.answers.slice(2).map((r) => (r as { data: string }).data).sort());
      orders.add(answers.map((r) => (r as { data: string }).data).join(' '));
    }
    expect(orders.size).toBeGreaterThan(1);
    // An error keeps its records as they are.
    const nx = { ...empty('NXDOMAIN'), answers: [a(1), a(2)] };
    expect(loadBalance(nx, () => 0)).toBe(nx);
  });
});
