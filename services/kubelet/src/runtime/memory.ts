import fs from 'node:fs';
import type { ProcStat } from './proc-stat';

/**
 * The memory charged to a container, as a memory cgroup would charge it:
 * - its main process (the shim's child) with its whole resident set: its binary, libraries and
 *   heap, as if the container had been the first to load them;
 * - every other process of the container (a forking server's per-connection children, a shell's
 *   subshells and commands) with only its private pages, those no other process maps: what a
 *   fork shares with its parent (the same binary and libraries, and memory neither has written
 *   since the fork) is charged once, not once per process. Busybox httpd forks per connection:
 *   counted by RSS, ten concurrent requests looked like 20 MiB and a 10Mi limit killed a container
 *   that a cgroup would charge about 2 MiB;
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
  privatePages: (pid: number, pageSize: number) => number = readPrivatePages,
): number {
  let pages = 0;
  for (const p of members) {
    if (p.pid === shimPid) continue;
    pages += p.ppid === shimPid ? p.rssPages : Math.min(p.rssPages, privatePages(p.pid, pageSize));
  }
  const rss = pages * pageSize;
  return Math.max(0, runtime === 'node' ? rss - nodeBaselineBytes : rss);
}

const scratch = Buffer.alloc(4096);
const PRIVATE = /^Private_(?:Clean|Dirty):\s+(\d+) kB$/gm;

/**
 * A process's private resident pages: Private_Clean + Private_Dirty of /proc/<pid>/smaps_rollup
 * (proc(5)), pages mapped by this process alone; a page still shared copy-on-write with its
 * parent is not private. 0 if the process is gone.
 */
export function readPrivatePages(pid: number, pageSize: number): number {
  let fd: number | undefined;
  try {
    fd = fs.openSync(`/proc/${pid}/smaps_rollup`, 'r');
    const n = fs.readSync(fd, scratch, 0, scratch.length, 0);
    let kB = 0;
    for (const match of scratch.toString('latin1', 0, n).matchAll(PRIVATE)) kB += Number(match[1]);
    return Math.floor((kB * 1024) / pageSize);
  } catch {
    return 0;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
