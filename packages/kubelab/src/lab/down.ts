import * as fs from 'node:fs';
import { stopPodContainers } from './containers';
import { paths } from './layout';
import { terminate } from './processes';
import { readState, removeState, type LabState } from './state';

/**
 * Stops a lab's processes: the node processes (kubelets, kube-proxies) together, then the control
 * plane last started first, then the pods' containers, which the kubelets leave running on purpose.
 */
export async function stopLab(state: Pick<LabState, 'processes' | 'nodes'>, say: (line: string) => void): Promise<void> {
  const nodeProcesses = state.processes.filter((p) => p.node !== undefined);
  const outcomes = await Promise.all(nodeProcesses.map(async (p) => `${p.name} (pid ${p.pid}): ${await terminate(p)}`));
  outcomes.reverse().forEach(say);
  for (const p of state.processes.filter((p) => p.node === undefined).reverse()) {
    say(`${p.name} (pid ${p.pid}): ${await terminate(p)}`);
  }
  await stopPodContainers(state.nodes ?? [], say);
}

/** `kubelab down`: stops every process of the lab and the pods' containers. Data and logs stay. */
export async function down(dir: string): Promise<number> {
  const state = readState(dir);
  if (!state) {
    process.stdout.write(`no lab is running in ${dir}\n`);
    return 0;
  }
  await stopLab(state, (line) => process.stdout.write(`${line}\n`));
  removeState(dir);
  // A kubeconfig for a lab that is gone would only send kubectl to a closed port.
  fs.rmSync(paths.kubeconfig(dir), { force: true });
  process.stdout.write(`lab in ${state.dir} is down (data and logs kept)\n`);
  return 0;
}
