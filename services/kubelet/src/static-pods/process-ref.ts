import * as fs from 'node:fs';
import type { KubeObject } from '@kubelab/client';

/**
 * kubelab's annotation on a static pod whose container is a process the lab starts itself (the
 * control plane, kube-proxy) rather than one the kubelet runs. Its value is JSON, either
 *   {"stateFile": "<lab dir>/lab.json", "name": "scheduler"}   the process the lab's state file
 *                                                              names so (it follows a restart)
 *   {"pid": 1234}                                              one fixed process
 */
export const PROCESS_ANNOTATION = 'kubelab.io/process';

export type ProcessRef = { stateFile: string; name: string } | { pid: number };

/** The static pod's process reference; undefined without the annotation; throws on a malformed one. */
export function processRefOf(pod: KubeObject): ProcessRef | undefined {
  const value = pod.metadata.annotations?.[PROCESS_ANNOTATION];
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new Error(`annotation ${PROCESS_ANNOTATION} is not JSON: ${value}`);
  }
  const ref = (parsed ?? {}) as Record<string, unknown>;
  if (typeof ref.stateFile === 'string' && typeof ref.name === 'string') return { stateFile: ref.stateFile, name: ref.name };
  if (typeof ref.pid === 'number' && Number.isInteger(ref.pid) && ref.pid > 0) return { pid: ref.pid };
  throw new Error(`annotation ${PROCESS_ANNOTATION} must be {"stateFile": ..., "name": ...} or {"pid": ...}, not ${value}`);
}

/**
 * Finds the pid a reference names now. A state file is read at most once per resolver (make one
 * per sync), and a file that cannot be read, or has no such process, gives undefined.
 */
export class ProcessResolver {
  private readonly states = new Map<string, Array<{ name?: string; pid?: number }> | undefined>();

  pidOf(ref: ProcessRef): number | undefined {
    if ('pid' in ref) return ref.pid;
    let processes = this.states.get(ref.stateFile);
    if (!this.states.has(ref.stateFile)) {
      processes = readProcesses(ref.stateFile);
      this.states.set(ref.stateFile, processes);
    }
    const pid = processes?.find((p) => p.name === ref.name)?.pid;
    return typeof pid === 'number' && pid > 0 ? pid : undefined;
  }
}

function readProcesses(file: string): Array<{ name?: string; pid?: number }> | undefined {
  try {
    const state = JSON.parse(fs.readFileSync(file, 'utf8')) as { processes?: unknown };
    return Array.isArray(state.processes) ? (state.processes as Array<{ name?: string; pid?: number }>) : undefined;
  } catch {
    return undefined;
  }
}
