import fs from 'node:fs';
import path from 'node:path';
import type { ContainerConfig, ContainerState, PodSandboxConfig } from './types';

/**
 * What the runtime remembers of one container, on disk (<rootDir>/containers/<hex>.json), so a
 * restarted kubelet can adopt it: the pid and its start time (together they name one process;
 * pids are reused), how it was started, and its status once it has exited.
 */
export interface ContainerRecord {
  id: string;
  pod: PodSandboxConfig;
  config: ContainerConfig;
  imageRef: string;
  /** 'node': the image's Node.js program (the runtime's baseline memory is not charged). */
  runtime: 'node' | 'native';
  /** The effective environment and working directory (exec uses them). */
  env: Record<string, string>;
  cwd: string;
  /** Runs in a private mount and UTS namespace (pod DNS, hostname); exec enters it. */
  namespaces: boolean;
  logPath: string;
  state: ContainerState;
  /** The shim's pid (process group and session of the container) and its start time (/proc/<pid>/stat field 22). */
  pid?: number;
  startTime?: number;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  reason?: string;
  message?: string;
  /** Set before the runtime kills it, so the reason survives a kubelet that dies right after. */
  killReason?: 'OOMKilled' | 'Killed';
}

/** Writes a record atomically (a reader never sees half a file). */
export function writeRecord(file: string, record: ContainerRecord): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(record));
  fs.renameSync(tmp, file);
}

/** Every record under `dir` (unreadable ones skipped). */
export function readRecords(dir: string): ContainerRecord[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const records: ContainerRecord[] = [];
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    try {
      records.push(JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as ContainerRecord);
    } catch {
      // half-written by a process that died: ignore
    }
  }
  return records;
}

/** The exit code the shim wrote, or undefined if it did not (it was killed, or still runs). */
export function readExitCode(file: string): { code: number; at: number } | undefined {
  try {
    const text = fs.readFileSync(file, 'utf8').trim();
    if (!/^\d+$/.test(text)) return undefined;
    return { code: Number(text), at: fs.statSync(file).mtimeMs };
  } catch {
    return undefined;
  }
}
