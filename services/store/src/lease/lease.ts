/** A lease (etcd's Lease): a TTL in seconds, an expiry on the lessor's clock, and its keys. */
export class Lease {
  readonly keys = new Set<string>();
  /** Milliseconds on the lessor's clock when the lease runs out. */
  expiry: number;

  constructor(
    /** The lease ID as a decimal string of a signed 64-bit integer. */
    readonly id: string,
    readonly ttl: number,
    now: number,
  ) {
    this.expiry = now + ttl * 1000;
  }

  refresh(now: number): void {
    this.expiry = now + this.ttl * 1000;
  }

  /** Whole seconds left, as etcd reports them (truncated). */
  remaining(now: number): number {
    return Math.max(0, Math.trunc((this.expiry - now) / 1000));
  }
}
