import type { Clock, ClockTimer } from '@kubelab/client';
import type { Logger } from '@kubelab/component-base';

export interface AddressClaimOptions<H> {
  /** What is claimed, for the logs: `tcp 127.96.0.5:80`. */
  what: string;
  /** Binds the socket; rejects with the bind error (EADDRINUSE when another process holds it). */
  bind: () => Promise<H>;
  /** Closes a bound socket (its listening side only). */
  unbind: (handle: H) => Promise<void>;
  retryMs: number;
  clock: Clock;
  log: Logger;
}

/**
 * The shared-loopback rule. The whole 127.0.0.0/8 is one machine's, so a ClusterIP socket can be
 * held by one kube-proxy only: each one wants it, the one whose bind succeeds serves it, and the
 * others retry every `retryMs` until it is free (the holder died, or stopped serving it). A
 * claim is wanted (`want(true)`) while there is something to serve and released otherwise.
 */
export class AddressClaim<H> {
  private handle: H | undefined;
  private wanted = false;
  private binding = false;
  private closed = false;
  private timer: ClockTimer | undefined;
  private waitingSince: number | undefined;

  constructor(private readonly options: AddressClaimOptions<H>) {}

  /** The bound socket, while this process holds the address. */
  get held(): H | undefined {
    return this.handle;
  }

  /** Whether the claim is waiting for another holder to let go. */
  get waiting(): boolean {
    return this.waitingSince !== undefined;
  }

  want(open: boolean): void {
    if (this.closed) return;
    this.wanted = open;
    if (open && !this.handle && !this.binding && !this.timer) void this.attempt();
    if (!open) {
      this.stopRetrying();
      if (this.handle) void this.release();
    }
  }

  /** Lets go of the address for good. */
  async close(): Promise<void> {
    this.closed = true;
    this.wanted = false;
    this.stopRetrying();
    if (this.handle) await this.release();
  }

  private async attempt(): Promise<void> {
    this.timer = undefined;
    if (!this.wanted || this.closed) return;
    this.binding = true;
    try {
      const handle = await this.options.bind();
      this.binding = false;
      if (!this.wanted || this.closed) return void (await this.options.unbind(handle));
      this.handle = handle;
      const waited = this.waitingSince === undefined ? undefined : this.options.clock.now() - this.waitingSince;
      this.waitingSince = undefined;
      this.options.log.info({ address: this.options.what, ...(waited !== undefined && { waitedMs: waited }) }, waited === undefined ? 'serving' : 'took over the address');
    } catch (error) {
      this.binding = false;
      const code = (error as NodeJS.ErrnoException).code;
      if (this.waitingSince === undefined) {
        this.waitingSince = this.options.clock.now();
        const message = code === 'EADDRINUSE' ? 'address held by another process (another kube-proxy on this machine); retrying' : 'cannot bind the address; retrying';
        this.options.log.info({ address: this.options.what, err: (error as Error).message, retryMs: this.options.retryMs }, message);
      }
      if (this.wanted && !this.closed) this.timer = this.options.clock.setTimeout(() => void this.attempt(), this.options.retryMs);
    }
  }

  private async release(): Promise<void> {
    const handle = this.handle!;
    this.handle = undefined;
    this.options.log.debug({ address: this.options.what }, 'released');
    await this.options.unbind(handle);
  }

  private stopRetrying(): void {
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.waitingSince = undefined;
  }
}
