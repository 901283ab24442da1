import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { PassThrough } from 'node:stream';
import type { Clock } from '@kubelab/client';
import { lookPath, ociExecPrefix } from './command';
import { ttyArgv } from './shim';
import { PtyResizer } from './tty';
import type { ExecResult, StreamSession } from './types';

/** What an exec needs to know of a running container. */
export interface ExecTarget {
  /** The container's shim: the process whose namespaces an exec enters. */
  pid: number;
  /** The container runs in a private mount/UTS namespace (pod DNS): the exec enters it with nsenter. */
  namespaces: boolean;
  env: Record<string, string>;
  cwd: string;
  nsenter?: string;
  script?: string;
  stty?: string;
}

/** The exec probe's output limit (the kubelet's maxReadLength). */
const MAX_PROBE_OUTPUT = 10 * 1024;

/**
 * Starts `command` in a container as `kubectl exec` does: the container's environment and
 * working directory, busybox applets first on PATH, its mount namespace when it has one; with a
 * tty, under util-linux script (stderr then comes through stdout, as with a real tty). The exec
 * is its own process group, so closing the session kills whatever it started. A command that
 * does not exist throws containerd's "OCI runtime exec failed" message.
 */
export function startExec(target: ExecTarget, command: string[], options: { stdin: boolean; tty: boolean }): StreamSession {
  const child = spawnExec(target, command, { stdin: options.stdin, tty: options.tty && target.script !== undefined });
  const tty = options.tty && target.script !== undefined;
  let stdout = child.stdout!;
  if (tty) {
    const merged = new PassThrough();
    let open = 2;
    const end = () => {
      if (--open === 0) merged.end();
    };
    child.stdout!.on('end', end).pipe(merged, { end: false });
    child.stderr!.on('end', end).pipe(merged, { end: false });
    stdout = merged;
  }
  const resizer = tty ? new PtyResizer(target.stty, () => (child.pid ? [child.pid] : [])) : undefined;
  const exit = exitCodeOf(child).finally(() => resizer?.dispose());
  return {
    stdin: options.stdin ? child.stdin! : undefined,
    stdout,
    stderr: tty ? undefined : child.stderr!,
    resize: resizer ? (size) => resizer.resize(size) : undefined,
    exit,
    close: () => killGroup(child),
  };
}

/**
 * Runs `command` to completion for an exec probe or hook: stdout then stderr (up to 10 KiB, as
 * the kubelet appends them), stderr alone, the exit code, and a deadline on `clock` after which the command is
 * killed and timedOut is true (none when `timeoutMs` is 0: a postStart hook has none); `cancelled`
 * kills it too (the pod is being deleted).
 */
export async function execWithTimeout(
  target: ExecTarget,
  command: string[],
  timeoutMs: number,
  clock: Clock,
  cancelled?: AbortSignal,
): Promise<ExecResult> {
  const child = spawnExec(target, command, { stdin: false, tty: false });
  const stdout = new BoundedOutput();
  const stderr = new BoundedOutput();
  child.stdout!.on('data', (data: Buffer) => stdout.add(data));
  child.stderr!.on('data', (data: Buffer) => stderr.add(data));
  let timedOut = false;
  const timer =
    timeoutMs > 0
      ? clock.setTimeout(() => {
          timedOut = true;
          killGroup(child);
        }, timeoutMs)
      : undefined;
  const cancel = () => killGroup(child);
  cancelled?.addEventListener('abort', cancel, { once: true });
  if (cancelled?.aborted) cancel();
  try {
    const exitCode = await exitCodeOf(child);
    // As the kubelet's RunInContainer: stdout, then stderr (not interleaved), at most 10 KiB.
    const output = Buffer.concat([stdout.bytes(), stderr.bytes()]).subarray(0, MAX_PROBE_OUTPUT).toString('utf8');
    return { exitCode, output, stderr: stderr.text(), timedOut };
  } finally {
    if (timer !== undefined) clock.clearTimeout(timer);
    cancelled?.removeEventListener('abort', cancel);
  }
}

function spawnExec(target: ExecTarget, command: string[], options: { stdin: boolean; tty: boolean }): ChildProcess {
  if (command.length === 0) throw new Error(`${ociExecPrefix(execId())}: exec: "": executable file not found in $PATH: unknown`);
  const prefix = ociExecPrefix(execId());
  const file = lookPath(command[0]!, target.env, target.cwd, (message) => new Error(`${prefix}: ${message}`));
  let argv = [file, ...command.slice(1)];
  if (options.tty) argv = ttyArgv(target.script!, argv);
  if (target.namespaces && target.nsenter) argv = [target.nsenter, '-m', '-u', '-t', String(target.pid), `--wd=${target.cwd}`, '--', ...argv];
  const child = spawn(argv[0]!, argv.slice(1), {
    env: target.env,
    cwd: target.cwd,
    detached: true,
    stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  child.on('error', () => {});
  child.stdin?.on('error', () => {});
  return child;
}

function exitCodeOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('error', () => resolve(126));
    child.once('close', (code, signal) => resolve(code ?? 128 + signalNumber(signal)));
  });
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // gone
  }
}

/** 9 for 'SIGKILL': what the shell's $? would say minus 128. */
export function signalNumber(signal: NodeJS.Signals | null): number {
  if (!signal) return 0;
  return os.constants.signals[signal] ?? 0;
}

function execId(): string {
  return randomBytes(32).toString('hex');
}

/** The first MAX_PROBE_OUTPUT bytes of a stream. */
class BoundedOutput {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  add(data: Buffer): void {
    if (this.size >= MAX_PROBE_OUTPUT) return;
    this.chunks.push(data.subarray(0, MAX_PROBE_OUTPUT - this.size));
    this.size += data.length;
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  text(): string {
    return this.bytes().toString('utf8');
  }
}
