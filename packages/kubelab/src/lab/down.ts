import * as fs from 'node:fs';
import { paths } from './layout';
import { terminate } from './processes';
import { readState, removeState } from './state';

/** `kubelab down`: stops every process of the lab, last started first. Data and logs stay. */
export async function down(dir: string): Promise<number> {
  const state = readState(dir);
  if (!state) {
    process.stdout.write(`no lab is running in ${dir}\n`);
    return 0;
  }
  for (const p of [...state.processes].reverse()) {
    const outcome = await terminate(p.pid);
    process.stdout.write(`${p.name} (pid ${p.pid}): ${outcome}\n`);
  }
  removeState(dir);
  // A kubeconfig for a lab that is gone would only send kubectl to a closed port.
  fs.rmSync(paths.kubeconfig(dir), { force: true });
  process.stdout.write(`lab in ${state.dir} is down (data and logs kept)\n`);
  return 0;
}
