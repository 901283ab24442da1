import { spawnSync } from 'node:child_process';
import type { CommandResult } from './etcdctl';

/** Runs the real kubectl with a kubeconfig; `input` feeds `-f -`. */
export function kubectl(kubeconfig: string, args: string[], options: { input?: string; env?: Record<string, string> } = {}): CommandResult {
  const result = spawnSync('kubectl', args, {
    env: { ...process.env, KUBECONFIG: kubeconfig, ...options.env },
    input: options.input,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status ?? -1, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}
