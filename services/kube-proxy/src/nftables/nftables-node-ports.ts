import type { Clock, ClockTimer } from '@kubelab/client';
import type { Logger } from '@kubelab/component-base';
import { NftSession } from './nft-session';
import { NO_OBJECTS, baseChainCommands, nodePortTransaction, type NodePortFrontend, type RulesetObjects } from './node-port-rules';

export interface NftablesNodePortsOptions {
  /** The table, owned by this kube-proxy's `nft` session (unique on the machine). */
  table: string;
  /** The `nft` binary (default `nft`). */
  nft?: string;
  /** How long to wait before starting a new session when `nft` died under us. */
  retryMs: number;
  clock: Clock;
  log: Logger;
}

/**
 * kube-proxy's NodePorts in the kernel (`--proxy-mode nftables`): the proxier hands over the
 * NodePort frontends of every sync and they are written as one nftables transaction, the
 * latest state only (syncs that come while one is being written are folded into the next).
 * The table belongs to an `nft -i` session of this process (see `NftSession`): it goes when
 * kube-proxy goes. Should `nft` die under a running kube-proxy, a new session rebuilds the
 * table from the last state.
 */
export class NftablesNodePorts {
  private wanted: readonly NodePortFrontend[] = [];
  private applied: RulesetObjects = NO_OBJECTS;
  private writing: Promise<void> | undefined;
  private dirty = false;
  private closed = false;
  private timer: ClockTimer | undefined;
  private session: NftSession;
  /** Whether the kernel has the rules of the last sync. */
  private current = false;

  private constructor(
    session: NftSession,
    private readonly options: NftablesNodePortsOptions,
  ) {
    this.session = session;
    this.watch(session);
  }

  /** Opens the session and makes the table; rejects with nft's words when nftables cannot be used here. */
  static async start(options: NftablesNodePortsOptions): Promise<NftablesNodePorts> {
    const session = await openSession(options);
    return new NftablesNodePorts(session, options);
  }

  /** Whether the kernel holds the NodePorts of the latest sync. */
  get synced(): boolean {
    return this.current && !this.dirty && this.session.alive;
  }

  /** Takes the NodePorts of a sync; they reach the kernel as soon as the previous write is done. */
  sync(frontends: readonly NodePortFrontend[]): void {
    this.wanted = frontends;
    this.dirty = true;
    this.current = false;
    this.flush();
  }

  /** Ends the session: the kernel drops the table, and the NodePorts stop answering. */
  async close(): Promise<void> {
    this.closed = true;
    this.cancelTimer();
    await this.writing;
    await this.session.close();
  }

  private flush(): void {
    if (this.writing || this.closed || !this.dirty || !this.session.alive) return;
    this.dirty = false;
    const frontends = this.wanted;
    const { commands, objects } = nodePortTransaction(this.options.table, frontends, this.applied);
    const started = this.options.clock.now();
    this.writing = this.session
      .run(commands)
      .then(
        () => {
          this.applied = objects;
          this.current = true;
          this.options.log.debug({ nodePorts: frontends.length, ms: this.options.clock.now() - started }, 'wrote the NodePort rules');
        },
        (error: Error) => {
          if (!this.session.alive || this.closed) return;
          // Refused as a whole: the kernel keeps the previous rules. Tried again with the next sync, or after a pause.
          this.options.log.error({ err: error.message, table: this.options.table }, 'nftables refused the NodePort rules; trying again');
          this.dirty = true;
          this.retryLater();
        },
      )
      .finally(() => {
        this.writing = undefined;
        if (!this.timer) this.flush();
      });
  }

  private cancelTimer(): void {
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private retryLater(): void {
    this.cancelTimer();
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.options.retryMs);
  }

  private watch(session: NftSession): void {
    session.onUnexpectedExit((error) => {
      if (this.closed) return;
      this.options.log.error({ err: error.message, table: this.options.table }, 'the nft session ended: the NodePort rules are gone; starting a new one');
      this.applied = NO_OBJECTS;
      this.current = false;
      this.dirty = true;
      const reopen = () => {
        this.timer = this.options.clock.setTimeout(() => {
          this.timer = undefined;
          if (this.closed) return;
          openSession(this.options).then(
            (next) => {
              if (this.closed) return void next.close();
              this.session = next;
              this.watch(next);
              this.flush();
            },
            (reason: Error) => {
              this.options.log.error({ err: reason.message }, 'could not start a new nft session');
              reopen();
            },
          );
        }, this.options.retryMs);
      };
      reopen();
    });
  }
}

async function openSession(options: NftablesNodePortsOptions): Promise<NftSession> {
  const session = await NftSession.start({ table: options.table, nft: options.nft });
  try {
    await session.run(baseChainCommands(options.table));
  } catch (error) {
    await session.close();
    throw error;
  }
  return session;
}
