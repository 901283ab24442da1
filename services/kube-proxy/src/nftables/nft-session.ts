import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export interface NftSessionOptions {
  /** The table this session owns (`ip` family). */
  table: string;
  /** The `nft` binary (default: `nft` on PATH). */
  nft?: string;
  /** How long starting the session and each transaction may take (default 5 s). */
  timeoutMs?: number;
}

/**
 * Asked after every transaction: its one line of fixed text, which needs no table and no
 * privilege, marks where the transaction's output ends.
 */
const BARRIER = 'describe tcp dport';
const BARRIER_OUTPUT = /^payload expression, datatype inet_service[^\n]*\n/m;

/**
 * One `nft -i` process that owns one nftables table (`flags owner`, Linux ≥ 5.12): the kernel
 * deletes an owned table when the netlink socket that created it closes, so the table lives
 * exactly as long as this process and its parent. When kube-proxy dies, even by SIGKILL, the
 * session's stdin closes, `nft` exits and the kernel drops every rule kube-proxy put in: a
 * dead kube-proxy's NodePorts stop answering, as kubelab's chaos lab wants. Only the owner may
 * change an owned table, so every change goes through this one session.
 *
 * Each `run` is one nftables transaction (the commands of one input line are committed
 * together or not at all), followed by a `describe`, whose fixed answer marks the end of the
 * transaction's output; `nft`'s stderr is merged into its stdout so that an error always comes
 * before that mark.
 */
export class NftSession {
  private output = '';
  private waiter: { resolve: (text: string) => void; reject: (error: Error) => void } | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private exited: Error | undefined;
  private readonly exitListeners: Array<(error: Error) => void> = [];
  private closing = false;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly timeoutMs: number,
  ) {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => this.onOutput(chunk));
    child.stdin.on('error', () => undefined);
    child.on('error', (error) => this.onExit(error));
    child.on('exit', (code, signal) => this.onExit(new Error(`nft -i exited (${signal ?? `code ${code}`})${this.output.trim() ? `: ${this.output.trim()}` : ''}`)));
  }

  /**
   * Starts `nft -i` and creates the owned table; rejects with nft's own
   * words when nftables cannot be used here (no `nft`, no privileges, a kernel without nf_tables).
   */
  static async start(options: NftSessionOptions): Promise<NftSession> {
    if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(options.table)) throw new Error(`invalid nftables table name "${options.table}"`);
    // `exec` keeps nft itself as the child; `2>&1` puts its errors in order with its listings.
    const child = spawn('/bin/sh', ['-c', `exec "$0" -i 2>&1`, options.nft ?? 'nft'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const session = new NftSession(child, options.timeoutMs ?? 5_000);
    try {
      await session.run([`add table ip ${options.table} { flags owner; }`]);
    } catch (error) {
      await session.close();
      throw error;
    }
    return session;
  }

  /** Whether `nft` is still running. */
  get alive(): boolean {
    return this.exited === undefined;
  }

  /** Called once if `nft` ends while the session was not being closed. */
  onUnexpectedExit(listener: (error: Error) => void): void {
    this.exitListeners.push(listener);
  }

  /**
   * Commits the commands as one transaction (in order; none may contain a newline).
   * Rejects with nft's error text when the transaction was refused: then nothing of it applies.
   */
  run(commands: readonly string[]): Promise<void> {
    const next = this.queue.then(() => this.transaction(commands));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Ends the session: `nft` exits and the kernel deletes the table with every rule in it. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2_000);
    await exited;
    clearTimeout(timer);
  }

  private async transaction(commands: readonly string[]): Promise<void> {
    if (this.exited) throw this.exited;
    for (const command of commands) if (command.includes('\n')) throw new Error(`an nft command may not contain a newline: ${command}`);
    const text = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`nft did not answer within ${this.timeoutMs} ms`));
        this.child.kill('SIGKILL');
      }, this.timeoutMs);
      this.waiter = {
        resolve: (t) => {
          clearTimeout(timer);
          resolve(t);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const batch = commands.length ? `${commands.join('; ')}\n` : '';
      this.child.stdin.write(`${batch}${BARRIER}\n`);
    });
    const error = text.trim();
    if (error) throw new Error(error);
  }

  private onOutput(chunk: string): void {
    this.output += chunk;
    const mark = BARRIER_OUTPUT.exec(this.output);
    if (!mark || !this.waiter) return;
    const before = this.output.slice(0, mark.index);
    this.output = this.output.slice(mark.index + mark[0].length);
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter.resolve(before);
  }

  private onExit(error: Error): void {
    if (this.exited) return;
    this.exited = error;
    this.waiter?.reject(error);
    this.waiter = undefined;
    if (!this.closing) for (const listener of this.exitListeners) listener(error);
  }
}
