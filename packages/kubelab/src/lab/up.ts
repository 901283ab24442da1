import * as fs from 'node:fs';
import { GiveUp } from '@kubelab/component-base';
import { stopLab } from './down';
import { writeKubeconfig } from './kubeconfig';
import { DEFAULT_LAB_DIR, labLayout, paths } from './layout';
import { placeKubeletState } from './kubelet-state';
import { labSubnetNetworking, planNetwork, type NetworkPlan } from './network';
import { waitForNodesReady } from './nodes-ready';
import { preflight } from './preflight';
import { findExecutable, isAlive, spawnDetached, tail, waitUntilHealthy, type ProcessIdentity } from './processes';
import { kubeletRootDir, processTable, type ProcessSpec } from './process-table';
import { profileNamed } from './profiles';
import { readState, writeState, type LabState, type NodeState } from './state';
import { writeStaticPodManifests } from './static-pods';
import { formatNodes, formatStatus, probe } from './status';
import { defaultTopology, loadTopology, type Topology } from './topology';

export interface UpOptions {
  dir: string;
  profile: string;
  basePort?: number;
  /** How long each process may take to become healthy (and the nodes to become Ready). */
  timeoutMs: number;
  /** The nats-server executable: a name looked up on PATH, or a path. */
  natsServer: string;
  /** A kind cluster config (kind.x-k8s.io/v1alpha4); without it, the default three-node lab. */
  config?: string;
  /** One /16 of 127.0.0.0/8 to carve all of the lab's ranges from (labs side by side). */
  subnet?: string;
}

export const NATS_MISSING = (name: string) => `${name} was not found on PATH.
kubelab uses NATS for its signals (announcements, telemetry, chaos). Install it with:
  sudo apt-get install nats-server        # Debian, Ubuntu
or download it from https://github.com/nats-io/nats-server/releases and put it on PATH.
`;

/**
 * `kubelab up`: starts the control plane, one process at a time and each healthy before the next,
 * then every node's kubelet and kube-proxy together; waits until every node is Ready, prints what
 * runs where and returns. The processes run on until `down`.
 */
export async function up(options: UpOptions): Promise<number> {
  const profile = profileNamed(options.profile);
  const layout = labLayout(options.dir, options.basePort);
  const running = readState(layout.dir);
  if (running) {
    const alive = running.processes.filter((p) => isAlive(p));
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
  let topology: Topology;
  let network: NetworkPlan;
  try {
    topology = options.config ? loadTopology(options.config) : defaultTopology();
    network = planNetwork(topology, options.subnet ? labSubnetNetworking(options.subnet) : {});
  } catch (error) {
    process.stderr.write(`invalid lab topology: ${(error as Error).message}\n`);
    return 1;
  }
  const natsServer = findExecutable(options.natsServer);
  if (!natsServer) {
    process.stderr.write(NATS_MISSING(options.natsServer));
    return 1;
  }
  const problems = await preflight(topology, network, layout);
  if (problems.length > 0) {
    process.stderr.write(`cannot start the lab:\n${problems.map((p) => `  ${p}\n`).join('')}`);
    return 1;
  }
  if (topology.ignored.length > 0) process.stdout.write(`kind fields without effect in a kubelab lab (ignored): ${topology.ignored.join(', ')}\n`);
  fs.mkdirSync(paths.logs(layout.dir), { recursive: true });
  placeKubeletState(layout.dir);
  const { nodes: _addresses, ...networkState } = network;
  const state: LabState = {
    dir: layout.dir,
    profile: profile.name,
    startedAt: new Date().toISOString(),
    processes: [],
    cluster: topology.name,
    nodes: topology.nodes.map(
      (node, k): NodeState => ({
        name: node.name,
        role: node.role,
        ip: network.nodes[k]!.ip,
        podCIDR: network.nodes[k]!.podCIDR,
        rootDir: kubeletRootDir(layout.dir, node.name),
        published: node.extraPortMappings.map((m) => `${m.listenAddress}:${m.hostPort} -> ${m.containerPort}`),
      }),
    ),
    network: networkState,
  };
  const table = processTable(layout, profile, natsServer, topology, network);
  // The kubelets read them at start: the control plane and kube-proxy as static pods in kube-system.
  writeStaticPodManifests(layout.dir, table, topology);
  const apiserverUrl = table.find((p) => p.name === 'apiserver')!.address;
  const start = (spec: ProcessSpec): ProcessIdentity => {
    const identity = spawnDetached(spec.command, spec.args, spec.logFile);
    state.processes.push({ name: spec.name, ...identity, address: spec.address, healthUrl: spec.healthUrl, logFile: spec.logFile, ...(spec.node ? { node: spec.node } : {}) });
    writeState(state);
    return identity;
  };
  const healthy = (spec: ProcessSpec, p: ProcessIdentity) => waitUntilHealthy(p, spec.healthUrl, options.timeoutMs, `${spec.name} to become healthy at ${spec.healthUrl}`);
  let current: ProcessSpec | undefined;
  try {
    for (const spec of table.filter((p) => !p.node)) {
      current = spec;
      await healthy(spec, start(spec));
    }
    current = undefined;
    // The nodes do not depend on each other: their processes start together.
    const nodeProcesses = table.filter((p) => p.node).map((spec) => ({ spec, proc: start(spec) }));
    await Promise.all(
      nodeProcesses.map(({ spec, proc }) =>
        healthy(spec, proc).catch((error: Error) => {
          current ??= spec;
          throw error;
        }),
      ),
    );
    const stillRunning = () => {
      const dead = nodeProcesses.find(({ proc }) => !isAlive(proc));
      if (dead) {
        current = dead.spec;
        throw new GiveUp(`${dead.spec.name} exited`);
      }
    };
    await waitForNodesReady(apiserverUrl, topology.nodes.map((n) => n.name), options.timeoutMs, stillRunning);
  } catch (error) {
    const where = current ? `${current.name} did not start: ` : '';
    const log = current ?? table.find((p) => p.name.startsWith('kubelet-'));
    process.stderr.write(`${where}${(error as Error).message}\n${log ? `last lines of ${log.logFile}:\n${tail(log.logFile)}\n` : ''}`);
    await stopLab(state, () => undefined);
    fs.rmSync(paths.state(layout.dir), { force: true });
    return 1;
  }
  const kubeconfig = writeKubeconfig(layout.dir, apiserverUrl);
  process.stdout.write(`lab "${topology.name}" is up in ${layout.dir} (profile ${profile.name})\n`);
  process.stdout.write(formatStatus(await probe(state)));
  process.stdout.write(`\n${formatNodes(state)}`);
  process.stdout.write(nextSteps(layout.dir, kubeconfig));
  return 0;
}

/** What to type next, once the lab is up: the paths shell-quoted where they need it ("/tmp/a b"). */
export function nextSteps(dir: string, kubeconfig: string): string {
  const dirFlag = dir === DEFAULT_LAB_DIR ? '' : ` --dir ${shellQuote(dir)}`;
  return (
    `kubectl: export KUBECONFIG=${shellQuote(kubeconfig)}   (or: KUBECONFIG=$(kubelab kubeconfig${dirFlag}) kubectl get nodes)\n` +
    `logs: ${paths.logs(dir)}\nstop it with: kubelab down${dirFlag}\n`
  );
}

/** `word` as one word for a POSIX shell: as it is if nothing in it is special, else in single quotes. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
