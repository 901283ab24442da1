import type { ProcStat } from './proc-stat';

/**
 * Sends `signal` to a container: to its process group (the shim's pid, see shim.ts) and to every
 * process of its tree that left the group (a program under `script` has a session of its own).
 * A process that is already gone is not an error.
 */
export function signalContainer(pgid: number, members: readonly ProcStat[], signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is gone
  }
  for (const member of members) {
    if (member.pgrp === pgid) continue;
    try {
      process.kill(member.pid, signal);
    } catch {
      // gone
    }
  }
}
