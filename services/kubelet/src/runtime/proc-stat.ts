import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** The fields of /proc/<pid>/stat the runtime needs (proc(5)), with times in clock ticks. */
export interface ProcStat {
  pid: number;
  /** R, S, D, Z (zombie: exited, not yet reaped), T (stopped), ... */
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  /** CPU time of the process (all its threads) and of its reaped children, in clock ticks. */
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
  /** Field 22: when the process started, in clock ticks since boot. With the pid, it names one process (pids are reused). */
  startTime: number;
  /** Field 24: resident set size, in pages. */
  rssPages: number;
}

const scratch = Buffer.alloc(4096);

/** Reads /proc/<pid>/stat with one open/read/close and no allocation but the string; undefined if the process is gone. */
export function readProcStat(pid: number): ProcStat | undefined {
  const fd = openProcStat(pid);
  if (fd === undefined) return undefined;
  try {
    return readProcStatFd(pid, fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Opens /proc/<pid>/stat; undefined if the process is gone. */
export function openProcStat(pid: number): number | undefined {
  try {
    return fs.openSync(`/proc/${pid}/stat`, 'r');
  } catch {
    return undefined;
  }
}

/**
 * Reads an open /proc/<pid>/stat again from its start (the kernel renders it anew on every read:
 * one syscall instead of three). The fd names that one process: once it has exited, reading fails
 * (undefined), even if its pid has been reused since.
 */
export function readProcStatFd(pid: number, fd: number): ProcStat | undefined {
  let n: number;
  try {
    n = fs.readSync(fd, scratch, 0, scratch.length, 0);
  } catch {
    return undefined;
  }
  return parseProcStat(pid, scratch.toString('latin1', 0, n));
}

/** Parses a stat line; comm (field 2) may hold spaces and parentheses, so fields are counted after its last ')'. */
export function parseProcStat(pid: number, line: string): ProcStat | undefined {
  const close = line.lastIndexOf(')');
  if (close < 0) return undefined;
  const f = line.slice(close + 2).split(' ');
  // f[0] is field 3 (state): field N is f[N - 3].
  if (f.length < 22) return undefined;
  return {
    pid,
    state: f[0]!,
    ppid: Number(f[1]),
    pgrp: Number(f[2]),
    session: Number(f[3]),
    utime: Number(f[11]),
    stime: Number(f[12]),
    cutime: Number(f[13]),
    cstime: Number(f[14]),
    startTime: Number(f[19]),
    rssPages: Number(f[21]),
  };
}

/** Whether `pid` is the very process recorded with `startTime`, and has not exited (a zombie has). */
export function isAlive(pid: number, startTime: number): boolean {
  const stat = readProcStat(pid);
  return stat !== undefined && stat.startTime === startTime && stat.state !== 'Z' && stat.state !== 'X';
}

/** /proc/<pid>/schedstat's first field: nanoseconds the process' main thread ran on a CPU (precise, unlike stat's ticks). */
export function readSchedRuntimeNs(pid: number): number | undefined {
  let fd: number;
  try {
    fd = fs.openSync(`/proc/${pid}/schedstat`, 'r');
  } catch {
    return undefined;
  }
  try {
    const n = fs.readSync(fd, scratch, 0, scratch.length, 0);
    const text = scratch.toString('latin1', 0, n);
    const value = Number(text.slice(0, text.indexOf(' ')));
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

function getconf(name: string, fallback: number): number {
  try {
    const value = Number(execFileSync('getconf', [name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return Number.isFinite(value) && value > 0 ? value : fallback;
  } catch {
    return fallback;
  }
}

let constants: { clockTicksPerSecond: number; pageSize: number } | undefined;

/** USER_HZ (clock ticks per second, 100 on every common Linux) and the page size, asked once. */
export function procConstants(): { clockTicksPerSecond: number; pageSize: number } {
  constants ??= { clockTicksPerSecond: getconf('CLK_TCK', 100), pageSize: getconf('PAGESIZE', 4096) };
  return constants;
}
