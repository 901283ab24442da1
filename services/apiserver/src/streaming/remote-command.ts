import type * as grpc from '@grpc/grpc-js';
import { newInternalError, type Status } from '@kubelab/apimachinery';
import type { Logger } from '@kubelab/component-base';
import type { StreamRequest, StreamResponse, StreamStart, TerminalSize } from '@kubelab/proto';
import { Errors } from '../errors';
import { dialErrorText, kubeletStatus, type KubeletClient, type KubeletEndpoint } from './kubelet-client';
import { encodeQuery, queryBool } from './query';

/** v1.PodExecOptions / PodAttachOptions from the query of .../pods/{name}/exec or /attach: the kubelet's StreamStart but the pod. */
export type RemoteCommandOptions = Omit<StreamStart, 'namespace' | 'pod'>;

export function remoteCommandOptions(q: URLSearchParams, kind: 'exec' | 'attach'): RemoteCommandOptions {
  const options: RemoteCommandOptions = {
    container: q.get('container') ?? '',
    command: kind === 'exec' ? q.getAll('command') : [],
    stdin: queryBool(q, 'stdin'),
    stdout: queryBool(q, 'stdout'),
    stderr: queryBool(q, 'stderr'),
    tty: queryBool(q, 'tty'),
  };
  if (!options.stdin && !options.stdout && !options.stderr) throw Errors.badRequest('you must specify at least 1 of stdin, stdout, stderr');
  // With a terminal, stderr is the terminal too (the kubelet bypasses it).
  if (options.tty) options.stderr = false;
  return options;
}

/** Which process, where: the pod's container on its node's kubelet. */
export interface RemoteCommandTarget extends RemoteCommandOptions {
  kind: 'exec' | 'attach';
  namespace: string;
  pod: string;
  endpoint: KubeletEndpoint;
}

/** metav1.Status on the error channel when the command succeeded (Go marshals only these fields). */
export const SUCCESS_STATUS = { metadata: {}, status: 'Success' } as const;

/** The Status of a command that exited with `code` (reason NonZeroExitCode, cause ExitCode), from which kubectl takes its own exit code. */
export function exitCodeStatus(code: number): object {
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: command terminated with exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

/** An InternalError Status as the apiserver's stream translator writes it (no kind/apiVersion). */
export function internalErrorStatus(message: string): object {
  const { kind: _kind, apiVersion: _apiVersion, ...status }: Status = newInternalError(message);
  return status;
}

/** The client end of a session (WebSocket channels or SPDY streams). */
export interface RemoteCommandSink {
  stdout(data: Buffer): void;
  stderr(data: Buffer): void;
  /** The last word: a metav1.Status for the error channel; then the connection closes. */
  finish(status: object): void;
  /**
   * true for SPDY clients: Kubernetes proxies those to the kubelet as they are, so a Status the
   * kubelet writes once the command runs reaches them unchanged. WebSocket clients go through
   * the apiserver's stream translator, which reads the kubelet's Status as an error and wraps
   * it in an InternalError of its own (`Internal error occurred: Internal error occurred: ...`).
   */
  proxied?: boolean;
}

/**
 * The apiserver's stream translator: one kubelet Exec / Attach call, fed by the client's stdin
 * and resizes, feeding its stdout and stderr, ending with the Status kubectl turns into its exit
 * code (`command terminated with exit code 3`). A kubelet that refuses or cannot be reached
 * ends it with an InternalError, worded as Kubernetes words it.
 */
export class RemoteCommandProxy {
  private readonly call: grpc.ClientDuplexStream<StreamRequest, StreamResponse>;
  private started = false;
  private finished = false;
  private exitCode: number | undefined;

  constructor(
    client: KubeletClient,
    private readonly target: RemoteCommandTarget,
    private readonly sink: RemoteCommandSink,
    private readonly log: Logger,
  ) {
    this.call = target.kind === 'exec' ? client.Exec() : client.Attach();
    this.call.write({
      start: { namespace: target.namespace, pod: target.pod, container: target.container, command: target.command, stdin: target.stdin, stdout: target.stdout, stderr: target.stderr, tty: target.tty },
    });
    this.call.on('data', (response: StreamResponse) => this.receive(response));
    this.call.on('end', () => this.finish(this.exitCode === undefined || this.exitCode === 0 ? SUCCESS_STATUS : exitCodeStatus(this.exitCode)));
    this.call.on('error', (error: Error) => this.fail(error));
  }

  /** Sends stdin on; false when the kubelet is behind: wait for onDrain before sending more. */
  stdin(data: Buffer): boolean {
    if (this.finished || !this.target.stdin || data.length === 0) return true;
    return this.call.write({ stdin: data });
  }

  /** Once the kubelet has taken what stdin() queued (or the session is over). */
  onDrain(listener: () => void): void {
    if (this.finished) return listener();
    const done = () => {
      this.call.off('drain', done);
      this.call.off('status', done);
      listener();
    };
    this.call.once('drain', done);
    this.call.once('status', done);
  }

  closeStdin(): void {
    if (!this.finished && this.target.stdin) this.call.write({ closeStdin: {} });
  }

  resize(size: TerminalSize): void {
    if (!this.finished && this.target.tty) this.call.write({ resize: size });
  }

  /** Stops reading the kubelet's output while the client is behind (gRPC flow control slows the kubelet). */
  pause(): void {
    this.call.pause();
  }

  resume(): void {
    this.call.resume();
  }

  /** The client went away: the kubelet ends the session (kills an exec'd process). */
  cancel(): void {
    if (this.finished) return;
    this.finished = true;
    this.call.cancel();
  }

  private receive(response: StreamResponse): void {
    switch (response.message) {
      case 'started':
        this.started = true;
        break;
      case 'stdout':
        this.sink.stdout(Buffer.from(response.stdout));
        break;
      case 'stderr':
        this.sink.stderr(Buffer.from(response.stderr));
        break;
      case 'exit':
        this.exitCode = response.exit.code;
        break;
      default:
        break;
    }
  }

  private fail(error: Error): void {
    if (this.finished) return;
    const status = kubeletStatus(error);
    const dial = dialErrorText(error, this.target.endpoint);
    let message: string;
    if (dial) message = `error sending request: Post ${JSON.stringify(this.kubeletUrl())}: ${dial}`;
    else if (status && !this.started) message = `unable to upgrade connection: ${status.message ?? ''}`;
    else message = status?.message ?? error.message;
    this.log.debug({ kind: this.target.kind, pod: `${this.target.namespace}/${this.target.pod}`, err: message }, 'remote command failed');
    if (status && this.started && this.sink.proxied) {
      // The kubelet's own Status, from its error stream (ServeExec's `error executing command in container: ...`).
      const { kind: _kind, apiVersion: _apiVersion, ...relayed } = status;
      return this.finish(relayed);
    }
    this.finish(internalErrorStatus(message));
  }

  private finish(status: object): void {
    if (this.finished) return;
    this.finished = true;
    this.sink.finish(status);
  }

  /** The kubelet URL Kubernetes would have called, for error messages. */
  private kubeletUrl(): string {
    const t = this.target;
    const query: Array<[string, string]> = [];
    if (t.stdin) query.push(['input', '1']);
    if (t.stdout) query.push(['output', '1']);
    if (t.stderr) query.push(['error', '1']);
    if (t.tty) query.push(['tty', '1']);
    for (const part of t.command) query.push(['command', part]);
    const encoded = encodeQuery(query);
    return `https://${t.endpoint.host}:${t.endpoint.port}/${t.kind}/${t.namespace}/${t.pod}/${t.container}${encoded ? `?${encoded}` : ''}`;
  }
}
