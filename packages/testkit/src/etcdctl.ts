import { spawnSync } from 'node:child_process';

export interface CommandResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the real etcdctl (v3 API) against an endpoint; `input` feeds interactive commands like `txn -i`. */
export function etcdctl(endpoint: string, args: string[], input?: string): CommandResult {
  const result = spawnSync('etcdctl', [`--endpoints=${endpoint}`, '--dial-timeout=5s', '--command-timeout=10s', ...args], {
    env: { ...process.env, ETCDCTL_API: '3' },
    input,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status ?? -1, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}
