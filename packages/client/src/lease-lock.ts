import { isNotFound } from '@kubelab/apimachinery';
import { microTime } from './meta-time';
import type { ObjectsClient } from './objects-client';
import { Resources, type KubeObject } from './types';

/** What a Lease's spec says about the leader (resourcelock.LeaderElectionRecord). Times are epoch ms. */
export interface LeaderElectionRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime: number;
  renewTime: number;
  leaseTransitions: number;
}

/**
 * Where the leader is written down (resourcelock.Interface). `update` must fail when someone
 * else wrote since our `get`: that is the whole safety of leader election.
 */
export interface ResourceLock {
  /** The record and its raw form (to notice any change), or undefined when there is none yet. */
  get(timeoutMs: number): Promise<{ record: LeaderElectionRecord; raw: string } | undefined>;
  /** Writes the record; returns its raw form as stored, as `get` would return it. */
  create(record: LeaderElectionRecord, timeoutMs: number): Promise<string>;
  update(record: LeaderElectionRecord, timeoutMs: number): Promise<string>;
  identity: string;
  /** `namespace/name`, for logs. */
  describe(): string;
}

/**
 * The lock on a coordination.k8s.io/v1 Lease (resourcelock.LeaseLock), what kube-scheduler and
 * kube-controller-manager use: the record lives in the Lease's spec, and each update carries the
 * resourceVersion of the Lease last read, so two candidates racing cannot both win (one gets
 * 409 Conflict).
 */
export class LeaseLock implements ResourceLock {
  private lease: KubeObject | undefined;

  constructor(
    private readonly client: ObjectsClient,
    readonly namespace: string,
    readonly name: string,
    readonly identity: string,
  ) {}

  async get(timeoutMs: number): Promise<{ record: LeaderElectionRecord; raw: string } | undefined> {
    try {
      this.lease = await this.client.get(Resources.leases, this.namespace, this.name, { timeoutMs });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    return { record: fromLeaseSpec(this.lease.spec ?? {}), raw: JSON.stringify(this.lease.spec ?? {}) };
  }

  async create(record: LeaderElectionRecord, timeoutMs: number): Promise<string> {
    this.lease = await this.client.create(Resources.leases, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.name, namespace: this.namespace }, spec: toLeaseSpec(record) }, { timeoutMs });
    return JSON.stringify(this.lease.spec ?? {});
  }

  async update(record: LeaderElectionRecord, timeoutMs: number): Promise<string> {
    if (!this.lease) throw new Error('lease not initialized: get or create it first');
    // The resourceVersion read by get() stays in metadata: a write in between is a 409.
    this.lease = await this.client.update(Resources.leases, { ...this.lease, spec: toLeaseSpec(record) }, { timeoutMs });
    return JSON.stringify(this.lease.spec ?? {});
  }

  describe(): string {
    return `${this.namespace}/${this.name}`;
  }
}

/** Lease spec ⇄ record. Times are meta/v1 MicroTime: RFC 3339 with microseconds. */
export function toLeaseSpec(record: LeaderElectionRecord): Record<string, unknown> {
  const spec: Record<string, unknown> = { holderIdentity: record.holderIdentity, leaseDurationSeconds: record.leaseDurationSeconds, leaseTransitions: record.leaseTransitions };
  if (record.acquireTime) spec.acquireTime = microTime(record.acquireTime);
  if (record.renewTime) spec.renewTime = microTime(record.renewTime);
  return spec;
}

export function fromLeaseSpec(spec: Record<string, unknown>): LeaderElectionRecord {
  const time = (value: unknown) => (typeof value === 'string' ? Date.parse(value) || 0 : 0);
  return {
    holderIdentity: typeof spec.holderIdentity === 'string' ? spec.holderIdentity : '',
    leaseDurationSeconds: typeof spec.leaseDurationSeconds === 'number' ? spec.leaseDurationSeconds : 0,
    acquireTime: time(spec.acquireTime),
    renewTime: time(spec.renewTime),
    leaseTransitions: typeof spec.leaseTransitions === 'number' ? spec.leaseTransitions : 0,
  };
}
