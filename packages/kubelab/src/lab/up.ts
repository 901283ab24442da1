import * as fs from 'node:fs';
import { GiveUp, waitFor } from '@kubelab/component-base';
import { DEFAULT_LAB_DIR, labLayout, paths } from './layout';
import { findExecutable, isAlive, isHealthy, spawnDetached, tail, terminate } from './processes';
import { processTable } from './process-table';
import { profileNamed } from './profiles';
import { readState, writeState, type LabState } from './state';
import { formatStatus, probe } from './status';
import { writeKubeconfig } from './kubeconfig';

export interface UpOptions {
  dir: string;
  profile: string;
  basePort?: number;
  /** How long each process may take to become healthy. */
  timeoutMs: number;
  /** The nats-server executable: a name looked up on PATH, or a path. */
  natsServer: string;
}

export const NATS_MISSING = (name: string) => `${name} was not found on PATH.
kubelab uses NATS for its signals (announcements, telemetry, chaos). Install it with:
  sudo apt-get install nats-server        # Debian, Ubuntu
or download it from https://github.com/nats-io/nats-server/releases and put it on PATH.
`;

/**
 * `kubelab up`: starts every process of the table, each in its own session with its own log, waits
 * until each is healthy, prints what runs where and returns. The processes run on until `down`.
 */
export async function up(options: UpOptions): Promise<number> {
  const profile = profileNamed(options.profile);
  const layout = labLayout(options.dir, options.basePort);
  const running = readState(layout.dir);
  if (running) {
    const alive = running.processes.filter((p) => isAlive(p.pid));
    if (alive.length > 0) {
      const whole = alive.length === running.processes.length;
      process.stdout.write(
        whole
          ? `a lab is already running in ${running.dir} (started ${running.startedAt}); see \`kubelab status\`, or \`kubelab down\` first\n`
          : `a lab in ${running.dir} is partly running (${alive.map((p) => p.name).join(', ')}); run \`kubelab down\` first\n`,
      );
      process.stdout.write(formatStatus(await probe(running)));
      return whole ? 0 : 1;
    }
  }
  const natsServer = findExecutable(options.natsServer);
  if (!natsServer) {
    process.stderr.write(NATS_MISSING(options.natsServer));
    return 1;
  }
  fs.mkdirSync(paths.logs(layout.dir), { recursive: true });
  const state: LabState = { dir: layout.dir, profile: profile.name, startedAt: new Date().toISOString(), processes: [] };
  const table = processTable(layout, profile, natsServer);
  for (const spec of table) {
    const pid = spawnDetached(spec.command, spec.args, spec.logFile);
    state.processes.push({ name: spec.name, pid, address: spec.address, healthUrl: spec.healthUrl, logFile: spec.logFile });
    writeState(state);
    try {
      await waitFor(
        async () => {
          if (!isAlive(pid)) throw new GiveUp('it exited');
          return isHealthy(spec.healthUrl);
        },
        { timeoutMs: options.timeoutMs, intervalMs: 100, what: `${spec.name} to become healthy at ${spec.healthUrl}` },
      );
    } catch (error) {
      process.stderr.write(`${spec.name} did not start: ${(error as Error).message}\nlast lines of ${spec.logFile}:\n${tail(spec.logFile)}\n`);
      for (const p of [...state.processes].reverse()) await terminate(p.pid);
      fs.rmSync(paths.state(layout.dir), { force: true });
      return 1;
    }
  }
  const kubeconfig = writeKubeconfig(layout.dir, table.find((p) => p.name === 'apiserver')!.address);
  process.stdout.write(`lab is up in ${layout.dir} (profile ${profile.name})\n`);
  process.stdout.write(formatStatus(await probe(state)));
  const dirFlag = layout.dir === DEFAULT_LAB_DIR ? '' : ` --dir ${layout.dir}`;
  process.stdout.write(`kubectl: export KUBECONFIG=${kubeconfig}   (or: KUBECONFIG=$(kubelab kubeconfig${dirFlag}) kubectl get ns)\n`);
  process.stdout.write(`logs: ${paths.logs(layout.dir)}\nstop it with: kubelab down${dirFlag}\n`);
  return 0;
}
