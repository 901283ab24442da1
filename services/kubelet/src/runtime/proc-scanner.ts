import fs from 'node:fs';
import { openProcStat, readProcStat, readProcStatFd, type ProcStat } from './proc-stat';

/** A container's first process (the shim, see shim.ts), as recorded: the pid and its start time. */
export interface ContainerRoot {
  pid: number;
  startTime: number;
}

/** What one scan found for a container. */
export interface ProcessTree {
  /** The root process still runs (same start time, not a zombie). */
  alive: boolean;
  /** Every process of the container, the root included. */
  members: ProcStat[];
}

/**
 * Finds the processes of every container in one pass over /proc (cadvisor's housekeeping, without
 * cgroups). A process belongs to a container if it descends from the container's root process, or
 * if it is still in the root's session (a daemonized child, reparented to init, stays there).
 *
 * Cheap for many containers: each tick reads /proc once and the stat of only the processes that
 * matter. A process seen once and found outside every container can never join one (ancestry only
 * changes by reparenting to init), so later ticks skip it; every `fullRescanEvery` ticks it is read
 * again, in case its pid was reused between two ticks. The stat files of container processes stay
 * open between ticks and are re-read in place (one syscall each).
 */
export class ProcScanner {
  private ignored = new Set<number>();
  private fds = new Map<number, number>();
  private ticks = 0;
  /** How many stat files the last scan read, and how long it took: for the runtime's own metrics. */
  lastScan = { pids: 0, statsRead: 0, durationMs: 0 };

  constructor(private readonly fullRescanEvery = 20) {}

  scan(roots: ContainerRoot[]): Map<number, ProcessTree> {
    const started = performance.now();
    const full = this.ticks++ % this.fullRescanEvery === 0;
    const rootByPid = new Map(roots.map((r) => [r.pid, r]));
    const infos = new Map<number, ProcStat>();
    const ignored = new Set<number>();
    let pids = 0;
    for (const name of fs.readdirSync('/proc')) {
      const c = name.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const pid = Number(name);
      pids++;
      if (!full && this.ignored.has(pid) && !rootByPid.has(pid)) {
        ignored.add(pid);
        continue;
      }
      const stat = this.read(pid);
      if (stat) infos.set(pid, stat);
    }

    const owner = new Map<number, number>();
    const ownerOf = (start: ProcStat): number => {
      const path: number[] = [];
      let found = 0;
      for (let info: ProcStat | undefined = start; info; info = infos.get(info.ppid)) {
        const known = owner.get(info.pid);
        if (known !== undefined) {
          found = known;
          break;
        }
        path.push(info.pid);
        const root = rootByPid.get(info.pid);
        if (root && root.startTime === info.startTime) {
          found = info.pid;
          break;
        }
        const leader = info.session === info.pid ? undefined : rootByPid.get(info.session);
        if (leader && info.startTime >= leader.startTime) {
          found = leader.pid;
          break;
        }
        if (path.length > 4096) break;
      }
      for (const pid of path) owner.set(pid, found);
      return found;
    };

    const result = new Map<number, ProcessTree>(roots.map((r) => [r.pid, { alive: false, members: [] }]));
    for (const info of infos.values()) {
      const root = ownerOf(info);
      if (root === 0) {
        ignored.add(info.pid);
        continue;
      }
      const tree = result.get(root)!;
      tree.members.push(info);
      if (info.pid === root && info.startTime === rootByPid.get(root)!.startTime && info.state !== 'Z' && info.state !== 'X') tree.alive = true;
    }
    this.ignored = ignored;
    // Keep the stat files of container processes open; close the others.
    for (const [pid, fd] of this.fds) {
      if (infos.has(pid) && owner.get(pid)) continue;
      fs.closeSync(fd);
      this.fds.delete(pid);
    }
    this.lastScan = { pids, statsRead: infos.size, durationMs: performance.now() - started };
    return result;
  }

  /** Closes the stat files it keeps open. */
  close(): void {
    for (const fd of this.fds.values()) fs.closeSync(fd);
    this.fds.clear();
  }

  private read(pid: number): ProcStat | undefined {
    const cached = this.fds.get(pid);
    if (cached !== undefined) {
      const stat = readProcStatFd(pid, cached);
      if (stat) return stat;
      fs.closeSync(cached);
      this.fds.delete(pid);
    }
    const fd = openProcStat(pid);
    if (fd === undefined) return undefined;
    const stat = readProcStatFd(pid, fd);
    if (stat) this.fds.set(pid, fd);
    else fs.closeSync(fd);
    return stat;
  }
}

/** The pids whose parent is `pid` (one full pass over /proc: for occasional use, not per tick). */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const stat = readProcStat(Number(name));
    if (stat?.ppid === pid) children.push(stat.pid);
  }
  return children;
}
