/**
 * The lab's "cloud": the addresses `--load-balancer-ip-pool` hands to LoadBalancer Services, one
 * each. kube-proxy on every node answers on them (ipMode VIP), as a cloud load balancer would
 * forward to the nodes.
 */

/** What allocation decided: an address, or why there is none (the cloud provider's error). */
export type Allocation = { ip: string } | { error: string };

export interface AllocationRequest {
  pool: readonly string[];
  /** Addresses held by other Services. */
  taken: ReadonlySet<string>;
  /** spec.loadBalancerIP, when the Service asks for one. */
  requested?: string;
  /** The address the Service already has (its status), kept if still valid. */
  current?: string;
}

/**
 * The address for a Service: the one it asks for, if the pool has it and nobody holds it; else
 * the one it already has; else the first free one of the pool.
 */
export function allocate({ pool, taken, requested, current }: AllocationRequest): Allocation {
  if (requested) {
    if (!pool.includes(requested)) return { error: `requested address ${requested} is not in the pool ${describePool(pool)}` };
    if (taken.has(requested)) return { error: `requested address ${requested} is already in use` };
    return { ip: requested };
  }
  if (current && pool.includes(current) && !taken.has(current)) return { ip: current };
  const free = pool.find((ip) => !taken.has(ip));
  return free ? { ip: free } : { error: `no addresses left in the pool ${describePool(pool)}` };
}

/** The pool as the flag spells it: runs of consecutive addresses as FIRST-LAST, joined by commas. */
export function describePool(pool: readonly string[]): string {
  const runs: string[] = [];
  let start = 0;
  for (let i = 1; i <= pool.length; i++) {
    if (i < pool.length && toNumber(pool[i]!) === toNumber(pool[i - 1]!) + 1) continue;
    runs.push(i - 1 === start ? pool[start]! : `${pool[start]}-${pool[i - 1]}`);
    start = i;
  }
  return runs.join(',');
}

function toNumber(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}
