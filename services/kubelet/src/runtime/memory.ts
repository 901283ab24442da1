import fs from 'node:fs';
import type { ProcStat } from './proc-stat';

/**
 * The memory charged to a container, as a memory cgroup would charge it:
 * - its main process (the shim's child) with its whole resident set: its binary, libraries and
 *   heap, as if the container had been the first to load them;
 * - every other process of the container (a forking server's per-connection children, a shell's
 *   commands) with only its own anonymous pages: what a fork shares with its parent (the same
 *   binary, libraries and not-yet-written memory) is charged once, not once per process. Busybox
 *   httpd forks per connection: counted by RSS, ten concurrent requests looked like 20 MiB and a
 *   10Mi limit killed a container that a cgroup would charge about 2 MiB;
 * - for a Node.js image, minus the Node.js runtime's fixed baseline (node-baseline.ts), as a
 *   small native image would be counted.
 * The shim (the runtime's own waiter) is not counted. Over the container's memory limit, the
 * runtime kills it: OOMKilled, exit code 137.
 */
export function chargedMemoryBytes(
  members: readonly ProcStat[],
  shimPid: number,
  runtime: 'node' | 'native',
  nodeBaselineBytes: number,
  pageSize: number,
  privatePages: (pid: number) => number = readAnonymousPages,
): number {
  let pages = 0;
  for (const p of members) {
    if (p.pid === shimPid) continue;
    pages += p.ppid === shimPid ? p.rssPages : Math.min(p.rssPages, privatePages(p.pid));
  }
  const rss = pages * pageSize;
  return Math.max(0, runtime === 'node' ? rss - nodeBaselineBytes : rss);
}

const scratch = Buffer.alloc(128);

/**
 * A process's resident anonymous pages: /proc/<pid>/statm's resident minus shared (file-backed and
 * shared memory) pages, proc(5). 0 if the process is gone.
 */
export function readAnonymousPages(pid: number): number {
  let fd: number | undefined;
  try {
    fd = fs.openSync(`/proc/${pid}/statm`, 'r');
    const n = fs.readSync(fd, scratch, 0, scratch.length, 0);
    const [, resident, shared] = scratch.toString('latin1', 0, n).split(' ');
    return Math.max(0, Number(resident) - Number(shared)) || 0;
  } catch {
    return 0;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
