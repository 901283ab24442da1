import type { Clock } from '@kubelab/client';
import type { Endpoint } from './endpoint';

interface Affinity {
  endpoint: string;
  lastUsed: number;
}

interface ServiceState {
  /** Where the next round-robin pick starts. */
  cursor: number;
  /** sessionAffinity ClientIP: client IP → its endpoint and when it was last used. */
  affinity: Map<string, Affinity>;
}

/**
 * LoadBalancerRR (the round-robin of kube-proxy's userspace mode): each new connection to a
 * Service port goes to the next endpoint in turn, so connections spread evenly. With
 * sessionAffinity ClientIP a client IP keeps its endpoint until it has been idle for the
 * Service's timeoutSeconds (measured on the injected clock). An endpoint that refused a
 * connection is skipped for that connection (`exclude`), and a client sticky to it is moved on.
 */
export class LoadBalancerRR {
  private readonly services = new Map<string, ServiceState>();

  constructor(private readonly clock: Clock) {}

  /**
   * The endpoint for a new connection from `clientIP` to the Service port `servicePort`, among
   * `endpoints` (the usable ones for this traffic, in a stable order — the proxier sorts them —
   * so that the cursor means the same from one call to the next), or undefined when every one
   * is excluded.
   */
  nextEndpoint(servicePort: string, endpoints: readonly Endpoint[], clientIP: string | undefined, stickyMaxAgeSeconds: number | undefined, exclude: ReadonlySet<string> = new Set()): Endpoint | undefined {
    const candidates = exclude.size ? endpoints.filter((e) => !exclude.has(e.key)) : endpoints;
    if (candidates.length === 0) return undefined;
    let state = this.services.get(servicePort);
    if (!state) this.services.set(servicePort, (state = { cursor: 0, affinity: new Map() }));
    const now = this.clock.now();
    const sticky = stickyMaxAgeSeconds !== undefined && clientIP !== undefined;
    if (sticky) {
      const affinity = state.affinity.get(clientIP);
      if (affinity && now - affinity.lastUsed <= stickyMaxAgeSeconds * 1000) {
        const endpoint = candidates.find((e) => e.key === affinity.endpoint);
        if (endpoint) {
          affinity.lastUsed = now;
          return endpoint;
        }
      }
    }
    const endpoint = candidates[state.cursor % candidates.length]!;
    state.cursor = (state.cursor + 1) % Number.MAX_SAFE_INTEGER;
    if (sticky) {
      state.affinity.set(clientIP, { endpoint: endpoint.key, lastUsed: now });
      this.expireAffinities(state, now, stickyMaxAgeSeconds);
    }
    return endpoint;
  }

  /** Forgets the state of Service ports that are gone (their cursors and affinities). */
  retain(servicePorts: ReadonlySet<string>): void {
    for (const key of this.services.keys()) if (!servicePorts.has(key)) this.services.delete(key);
  }

  private expireAffinities(state: ServiceState, now: number, maxAgeSeconds: number): void {
    for (const [client, affinity] of state.affinity) if (now - affinity.lastUsed > maxAgeSeconds * 1000) state.affinity.delete(client);
  }
}
