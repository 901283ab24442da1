import { createHash } from 'node:crypto';
import type { ProxyRoute } from '../proxy-socket';

/** The base chain: nat, on the output hook (all of the lab's traffic is local), before routing. */
export const NODE_PORTS_CHAIN = 'nodeports';

/** The commands that make the table's base chain (once per table). */
export function baseChainCommands(table: string): string[] {
  return [`add chain ip ${table} ${NODE_PORTS_CHAIN} { type nat hook output priority -100; policy accept; }`];
}

/** The chains and sets a ruleset has in the table besides the base chain, by name. */
export interface RulesetObjects {
  chains: ReadonlySet<string>;
  sets: ReadonlySet<string>;
}

export const NO_OBJECTS: RulesetObjects = { chains: new Set(), sets: new Set() };

/** A NodePort address: `<node IP>:<nodePort>` and where its connections go. */
export interface NodePortFrontend {
  address: string;
  port: number;
  route: ProxyRoute;
}

/**
 * One transaction that lays the NodePorts out as `frontends` says, from the objects the last
 * one left (`previous`), as kube-proxy's nftables proxier does: DNAT of new connections to
 * `<node IP>:<nodePort>` onto a usable endpoint, picked in turn (`numgen inc`); with
 * sessionAffinity ClientIP, a set per endpoint of the client IPs it served (each kept for the
 * affinity timeout after its last connection) sends a client back to its endpoint. A NodePort
 * without usable endpoints gets no rule: nothing listens on the address, so the client is
 * refused, as by the REJECT rule. Established connections keep their conntrack entry whatever
 * the rules become. An affinity set lives on while its endpoint and timeout stay the same.
 */
export function nodePortTransaction(table: string, frontends: readonly NodePortFrontend[], previous: RulesetObjects): { commands: string[]; objects: RulesetObjects } {
  const chains = new Set<string>();
  const sets = new Set<string>();
  const rules: string[] = [];
  const declare: string[] = [];
  const ordered = [...frontends].filter((f) => f.route.endpoints.length > 0).sort((a, b) => compare(`${a.address}:${a.port}`, `${b.address}:${b.port}`));
  for (const { address, port, route } of ordered) {
    const match = `ip daddr ${address} tcp dport ${port}`;
    const endpoints = route.endpoints;
    const sticky = route.stickyMaxAgeSeconds;
    if (sticky === undefined) {
      rules.push(`add rule ip ${table} ${NODE_PORTS_CHAIN} ${match} ${dnat(endpoints)}`);
      continue;
    }
    const frontend = `fe-${hash(`${address}:${port}`)}`;
    chains.add(frontend);
    declare.push(`add chain ip ${table} ${frontend}`);
    const targets = endpoints.map((e) => {
      const id = hash(`${address}:${port}/${e.key}/${sticky}`);
      const chain = `ep-${id}`;
      const set = `aff-${id}`;
      chains.add(chain);
      sets.add(set);
      declare.push(`add chain ip ${table} ${chain}`);
      if (!previous.sets.has(set)) declare.push(`add set ip ${table} ${set} { type ipv4_addr; flags dynamic,timeout; timeout ${Math.max(1, sticky)}s; }`);
      rules.push(`add rule ip ${table} ${chain} meta l4proto tcp update @${set} { ip saddr } dnat ip to ${e.ip}:${e.port}`);
      return { chain, set };
    });
    for (const { chain, set } of targets) rules.push(`add rule ip ${table} ${frontend} ip saddr @${set} goto ${chain}`);
    rules.push(`add rule ip ${table} ${frontend} numgen inc mod ${targets.length} vmap { ${targets.map((t, i) => `${i} : goto ${t.chain}`).join(', ')} }`);
    rules.push(`add rule ip ${table} ${NODE_PORTS_CHAIN} ${match} goto ${frontend}`);
  }
  // Nothing may refer to a chain or set when it is deleted: empty every chain first.
  const commands = [`flush chain ip ${table} ${NODE_PORTS_CHAIN}`, ...[...previous.chains].map((c) => `flush chain ip ${table} ${c}`)];
  for (const chain of previous.chains) if (!chains.has(chain)) commands.push(`delete chain ip ${table} ${chain}`);
  for (const set of previous.sets) if (!sets.has(set)) commands.push(`delete set ip ${table} ${set}`);
  commands.push(...declare.filter((c) => !c.startsWith('add chain') || !previous.chains.has(c.slice(c.lastIndexOf(' ') + 1))), ...rules);
  return { commands, objects: { chains, sets } };
}

/** The DNAT of a connection onto one of the endpoints, in turn. */
function dnat(endpoints: ProxyRoute['endpoints']): string {
  if (endpoints.length === 1) return `dnat ip to ${endpoints[0]!.ip}:${endpoints[0]!.port}`;
  return `dnat ip to numgen inc mod ${endpoints.length} map { ${endpoints.map((e, i) => `${i} : ${e.ip} . ${e.port}`).join(', ')} }`;
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
