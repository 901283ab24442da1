import * as fs from 'node:fs';
import { paths } from './layout';

/** What `kubelab up` leaves behind in <dir>/lab.json, for `status` and `down`. */
export interface LabState {
  dir: string;
  profile: string;
  startedAt: string;
  processes: Array<{ name: string; pid: number; address: string; healthUrl: string; logFile: string }>;
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
