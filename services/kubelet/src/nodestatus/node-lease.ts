import { isConflict, isNotFound, microTime, realClock, Resources, sleep, type Clock, type KubeObject, type ObjectsClient } from '@kubelab/client';
import { Backoff, type Logger } from '@kubelab/component-base';
import { PeriodicSync } from './periodic';

/** Where node Leases live. */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** The Lease is renewed every leaseDuration × this (NodeLeaseRenewIntervalFraction). */
export const RENEW_INTERVAL_FRACTION = 0.25;

/** Tries of one renewal before waiting for the next interval (maxUpdateRetries). */
export const MAX_UPDATE_RETRIES = 5;

export interface NodeLeaseOptions {
  client: ObjectsClient;
  nodeName: string;
  leaseDurationSeconds: number;
  clock?: Clock;
  log: Logger;
  /** Jitter of the back-off while the Lease cannot be read or created (default Math.random). */
  random?: () => number;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  renewTime?: string;
  [field: string]: unknown;
}

/**
 * The node's heartbeat (component-helpers' lease controller, as the kubelet runs it): the Lease
 * kube-node-lease/<node>, holderIdentity the node, renewTime now, owned by the Node (so it goes
 * when the Node is deleted), renewed every leaseDuration / 4 — 10 s for the default 40 s — counted
 * from the end of the previous renewal. The node lifecycle controller marks the node Unknown when
 * renewTime gets older than its grace period.
 *
 * A renewal first updates the Lease it last wrote (no read); if that fails it reads (creating the
 * Lease when missing) and updates again, up to 5 times, reading anew after each Conflict. While
 * the apiserver is away, reading is retried with back-off (100 ms doubling to 7 s), for ever.
 */
export class NodeLease {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly renewIntervalMs: number;
  private readonly renewals: PeriodicSync;
  private latest: KubeObject | undefined;

  constructor(private readonly options: NodeLeaseOptions) {
    this.clock = options.clock ?? realClock;
    this.log = options.log;
    this.renewIntervalMs = options.leaseDurationSeconds * 1000 * RENEW_INTERVAL_FRACTION;
    this.renewals = new PeriodicSync(this.clock, this.renewIntervalMs, () =>
      this.sync().catch((error: Error) => this.log.error({ err: error.message }, 'node lease renewal failed')),
    );
  }

  /** Renews at once, then every quarter of the lease duration. */
  start(): void {
    this.renewals.start(true);
  }

  stop(): void {
    this.renewals.stop();
  }

  /** Resolves when a renewal in flight, if any, is over. */
  async idle(): Promise<void> {
    await this.renewals.idle();
  }

  /** One renewal (the lease controller's sync). */
  async sync(): Promise<void> {
    if (this.latest) {
      try {
        await this.retryUpdateLease(this.latest);
        return;
      } catch (error) {
        if (this.renewals.signal.aborted) return;
        this.log.info({ err: (error as Error).message }, 'failed to update lease using latest lease, fallback to ensure lease');
      }
    }
    const ensured = await this.backoffEnsureLease();
    if (!ensured || ensured.created) return;
    try {
      await this.retryUpdateLease(ensured.lease);
    } catch (error) {
      this.log.error({ err: (error as Error).message, intervalMs: this.renewIntervalMs }, 'Will retry updating lease');
    }
  }

  private async retryUpdateLease(base: KubeObject): Promise<void> {
    for (let attempt = 0; attempt < MAX_UPDATE_RETRIES; attempt++) {
      if (this.renewals.signal.aborted) return;
      try {
        this.latest = await this.options.client.update(Resources.leases, await this.newLease(base));
        return;
      } catch (error) {
        this.log.warn({ err: (error as Error).message }, 'Failed to update lease');
        if (isConflict(error) || isNotFound(error)) {
          // Someone else wrote it (or deleted it): continue from what is there now.
          const ensured = await this.backoffEnsureLease();
          if (!ensured) return;
          if (ensured.created) return;
          base = ensured.lease;
        }
      }
    }
    throw new Error(`failed ${MAX_UPDATE_RETRIES} attempts to update lease`);
  }

  /** Reads the Lease, creating it when missing; retried with back-off until it works or stop(). */
  private async backoffEnsureLease(): Promise<{ lease: KubeObject; created: boolean } | undefined> {
    const backoff = new Backoff(100, 7_000, this.options.random);
    while (!this.renewals.signal.aborted) {
      try {
        return await this.ensureLease();
      } catch (error) {
        const delay = backoff.next();
        this.log.warn({ err: (error as Error).message, retryInMs: delay }, 'Failed to ensure lease exists, will retry');
        await sleep(this.clock, delay, this.renewals.signal);
      }
    }
    return undefined;
  }

  private async ensureLease(): Promise<{ lease: KubeObject; created: boolean }> {
    const { client, nodeName } = this.options;
    try {
      return { lease: await client.get(Resources.leases, NODE_LEASE_NAMESPACE, nodeName), created: false };
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    const fresh: KubeObject = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: nodeName, namespace: NODE_LEASE_NAMESPACE }, spec: {} };
    const lease = await client.create(Resources.leases, await this.newLease(fresh));
    this.latest = lease;
    return { lease, created: true };
  }

  /** The Lease as this node writes it: holder, duration, renewTime now, and the Node as owner once known. */
  private async newLease(base: KubeObject): Promise<KubeObject> {
    const { nodeName, leaseDurationSeconds } = this.options;
    const lease: KubeObject = structuredClone(base);
    lease.spec = { ...(lease.spec as LeaseSpec), holderIdentity: nodeName, leaseDurationSeconds };
    if (!lease.metadata.ownerReferences?.length) {
      // setNodeOwnerFunc: the Node owns its Lease; if the Node cannot be read yet, the next renewal tries again.
      try {
        const node = await this.options.client.get(Resources.nodes, undefined, nodeName);
        lease.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: node.metadata.uid! }];
      } catch (error) {
        this.log.warn({ err: (error as Error).message }, 'failed to get node when trying to set owner ref to the node lease');
      }
    }
    (lease.spec as LeaseSpec).renewTime = microTime(this.clock.now());
    return lease;
  }
}
