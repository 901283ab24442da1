import { spawn, spawnSync } from 'node:child_process';
import type { CommandResult } from './etcdctl';

/** What kubectl may print before it is stopped (`kubectl logs` of a 10 MiB log file prints megabytes; Node's default is 1 MiB). */
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

/**
 * Runs the real kubectl with a kubeconfig; `input` feeds `-f -`; it is killed after `timeoutMs`
 * (30 s). A run that could not finish (killed at the timeout, or more output than
 * MAX_OUTPUT_BYTES, which would cut stdout short) says so on stderr, never passing as a clean one.
 */
export function kubectl(kubeconfig: string, args: string[], options: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): CommandResult {
  const result = spawnSync('kubectl', args, {
    env: { ...process.env, KUBECONFIG: kubeconfig, ...options.env },
    input: options.input,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 30_000,
    maxBuffer: MAX_OUTPUT_BYTES,
  });
  const failure = result.error ? `kubectl ${args.join(' ')}: ${result.error.message}\n` : '';
  return { status: result.status ?? -1, stdout: result.stdout ?? '', stderr: (result.stderr ?? '') + failure };
}

/**
 * As `kubectl`, without blocking this process while kubectl runs: for commands that wait on the
 * cluster (`rollout status`, `wait`) while something in this process (hollow nodes) moves it.
 */
export function kubectlAsync(kubeconfig: string, args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn('kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ status: code ?? -1, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}
