import * as fs from 'node:fs';
import { paths } from './layout';
import type { NetworkPlan } from './network';

/** A node of a running lab, as `status` shows it and `down` cleans up after it. */
export interface NodeState {
  name: string;
  role: string;
  ip: string;
  podCIDR: string;
  /** The kubelet's --root-dir: its containers are recorded here (`down` stops them). */
  rootDir: string;
  /** Host ports published to the node's ports (kind's extraPortMappings): "127.0.0.1:8000 -> 30001". */
  published: string[];
}

/** What `kubelab up` leaves behind in <dir>/lab.json, for `status` and `down`. */
export interface LabState {
  dir: string;
  profile: string;
  startedAt: string;
  /** Each process: its pid with, since they are recorded, its start time and boot (processes.ts `ProcessIdentity`). */
  processes: Array<{ name: string; pid: number; startTime?: number; bootId?: string; address: string; healthUrl: string; logFile: string; node?: string }>;
  /** The cluster name (kind's `name`), the nodes and the network (labs started before nodes existed have none). */
  cluster?: string;
  nodes?: NodeState[];
  network?: Omit<NetworkPlan, 'nodes'>;
}

export function readState(dir: string): LabState | undefined {
  try {
    return JSON.parse(fs.readFileSync(paths.state(dir), 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

export function writeState(state: LabState): void {
  const file = paths.state(state.dir);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2));
  fs.renameSync(`${file}.tmp`, file);
}

export function removeState(dir: string): void {
  fs.rmSync(paths.state(dir), { force: true });
}
