import { spawn, spawnSync } from 'node:child_process';
import type { CommandResult } from './etcdctl';

/** Runs the real kubectl with a kubeconfig; `input` feeds `-f -`; it is killed after `timeoutMs` (30 s). */
export function kubectl(kubeconfig: string, args: string[], options: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): CommandResult {
  const result = spawnSync('kubectl', args, {
    env: { ...process.env, KUBECONFIG: kubeconfig, ...options.env },
    input: options.input,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 30_000,
  });
  return { status: result.status ?? -1, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
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
