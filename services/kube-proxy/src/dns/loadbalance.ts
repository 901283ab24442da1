import type { Answer } from 'dns-packet';
import type { Reply } from './message';

/**
 * CoreDNS's `loadbalance` plugin (round_robin, in kubeadm's and kind's Corefile): in each section
 * of a successful answer the CNAME records come first (in their order, so a chain still reads
 * from the question's name), then the other records, then the A/AAAA records in a random order,
 * then the MX records in a random order. Clients that take the first address (most do) are
 * spread over a headless Service's endpoints.
 */
export function loadBalance(reply: Reply, random: () => number = Math.random): Reply {
  if (reply.rcode !== 'NOERROR') return reply;
  return { ...reply, answers: roundRobin(reply.answers, random), authorities: roundRobin(reply.authorities, random), additionals: roundRobin(reply.additionals, random) };
}

function roundRobin(records: Answer[], random: () => number): Answer[] {
  const cnames: Answer[] = [];
  const addresses: Answer[] = [];
  const mx: Answer[] = [];
  const rest: Answer[] = [];
  for (const record of records) {
    if (record.type === 'CNAME') cnames.push(record);
    else if (record.type === 'A' || record.type === 'AAAA') addresses.push(record);
    else if (record.type === 'MX') mx.push(record);
    else rest.push(record);
  }
  return [...cnames, ...rest, ...shuffle(addresses, random), ...shuffle(mx, random)];
}

/** Fisher-Yates, in place. */
function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
