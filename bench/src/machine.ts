import * as os from 'node:os';
import { execFileSync } from 'node:child_process';

/** One line that says what machine a benchmark ran on. */
export function describeMachine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const memory = `${Math.round(os.totalmem() / 2 ** 30)} GiB`;
  const etcd = safe(() => /etcd Version: (\S+)/.exec(execFileSync('etcd', ['--version'], { encoding: 'utf8' }))?.[1]);
  return `${os.cpus().length} × ${cpu}, ${memory} RAM, Linux ${os.release()}, Node ${process.versions.node}, etcd ${etcd ?? 'not installed'}`;
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}
