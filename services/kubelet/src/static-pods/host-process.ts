import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { CONTAINER_ID_SCHEME } from '../runtime/layout';
import { procConstants, readProcStat } from '../runtime/proc-stat';

/** One process as /proc shows it: which instance it is (pid and start time) and when it started. */
export interface HostProcess {
  pid: number;
  /** Field 22 of /proc/<pid>/stat: with the pid, it names this one process (pids are reused). */
  startTicks: number;
  startedAt: Date;
  /** A container ID for the process, stable for its life ('kubelab://' and 64 hex digits). */
  containerID: string;
}

let bootTimeMs: number | undefined;
/** The container ID of each process seen (by pid and start time): a sha256 once per process, not once per sync. */
const containerIDs = new Map<string, string>();

/** When the machine booted (/proc/stat btime), which process start times count from. */
function bootTime(): number {
  if (bootTimeMs === undefined) {
    const line = /^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'));
    bootTimeMs = line ? Number(line[1]) * 1000 : 0;
  }
  return bootTimeMs;
}

/** The process `pid` if it runs (a zombie has exited); undefined otherwise. */
export function observeProcess(pid: number): HostProcess | undefined {
  const stat = readProcStat(pid);
  if (!stat || stat.state === 'Z' || stat.state === 'X') return undefined;
  const { clockTicksPerSecond } = procConstants();
  const boot = bootTime();
  return {
    pid,
    startTicks: stat.startTime,
    startedAt: new Date(boot + Math.round((stat.startTime * 1000) / clockTicksPerSecond)),
    containerID: containerIDOf(`${boot}/${pid}/${stat.startTime}`),
  };
}

function containerIDOf(instance: string): string {
  let id = containerIDs.get(instance);
  if (id === undefined) {
    id = CONTAINER_ID_SCHEME + createHash('sha256').update(instance).digest('hex');
    // A handful of lab processes, restarted now and then: keep the map from growing without end.
    if (containerIDs.size >= 64) containerIDs.clear();
    containerIDs.set(instance, id);
  }
  return id;
}
