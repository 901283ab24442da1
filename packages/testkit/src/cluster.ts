import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { claim, portFree } from './claims';
import { KUBELAB, ROOT, tempDir } from './servers';

export interface ClusterOptions {
  /**
   * The lab's topology as a kind cluster config (YAML text or the parsed object); default: the
   * lab's three nodes (kubelab-control-plane, kubelab-worker, kubelab-worker2). Its networking is
   * replaced by a network of the cluster's own.
   */
  config?: string | Record<string, unknown>;
  /** The time profile (default: fast). */
  profile?: 'fast' | 'default';
  /** How long `kubelab up` may take for each process and for the nodes to become Ready (default 60 s). */
  timeoutMs?: number;
}

/** A node of the lab, as `kubelab up` planned it. */
export interface ClusterNode {
  name: string;
  role: string;
  ip: string;
  podCIDR: string;
}

/** The lab's addresses: one /16 of 127.0.0.0/8 of its own. */
export interface ClusterNetwork {
  /** The /16 every range of this lab comes from (127.X.0.0/16). */
  subnet: string;
  nodeSubnet: string;
  podSubnet: string;
  serviceSubnet: string;
  loadBalancerSubnet: string;
  kubernetesServiceIP: string;
  clusterDNS: string;
  loadBalancerPool: string;
  /**
   * The host as the nodes' network sees it (127.X.0.1, as the gateway 172.18.0.1 of kind's Docker
   * network): extraPortMappings without a listenAddress are published here instead of on
   * 127.0.0.1, so that labs side by side do not fight over a host port.
   */
  hostIP: string;
}

/** A whole lab started with `kubelab up`, as people start one. */
export interface Cluster {
  /** The lab folder (`--dir`): lab.json, logs/, data/, kubeconfig, kind.yaml. */
  dir: string;
  kubeconfig: string;
  /** Environment for the real kubectl (and anything else that reads KUBECONFIG). */
  env: Record<string, string>;
  apiserverUrl: string;
  basePort: number;
  nodes: ClusterNode[];
  network: ClusterNetwork;
  /** The log of one process (`kubelet-kubelab-worker`, `apiserver`, ...), or every log with headers. */
  logs(name?: string): string;
  /** `kubelab down`, then the lab folder and its claims on addresses and ports are removed. */
  down(): Promise<void>;
}

/**
 * A /16 of 127.0.0.0/8 for one lab, 127.X.0.0/16 with X in 100..250 (the tests' addresses), that
 * no other lab of this test run claimed and whose first node address is free. For `kubelab up
 * --subnet` in tests that run the command themselves; `release()` when the lab is down.
 */
export async function reserveLabSubnet(): Promise<{ x: number; subnet: string; release: () => void }> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const x = 100 + Math.floor(Math.random() * 151);
    const release = claim(`subnet-127.${x}`);
    if (!release) continue;
    if (await portFree(`127.${x}.0.2`, 10250)) return { x, subnet: `127.${x}.0.0/16`, release };
    release();
  }
  throw new Error('no free 127.X.0.0/16 for a lab (X in 100..250)');
}

/**
 * Eight consecutive free ports for the control plane (`--base-port`), below Linux's ephemeral range
 * (32768-60999): ports other tests take with port 0 never land there while the lab runs (or is
 * down between two `up`s). Claimed for this test run until `release()`.
 */
export async function reserveBasePort(): Promise<{ base: number; release: () => void }> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const slot = 2_500 + Math.floor(Math.random() * 1_500); // ports 20000..31999, in slots of 8
    const release = claim(`ports-${slot}`);
    if (!release) continue;
    const base = slot * 8;
    const free = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map((i) => portFree('127.0.0.1', base + i)));
    if (free.every(Boolean)) return { base, release };
    release();
  }
  throw new Error('no eight free consecutive ports for a lab below 32768');
}

/** The lab's kind config: the given topology (or the three-node default) on the network of 127.X.0.0/16. */
export function clusterConfig(config: ClusterOptions['config'], x: number): Record<string, unknown> {
  const parsed = (typeof config === 'string' ? yaml.load(config) : structuredClone(config)) as Record<string, unknown> | undefined;
  const doc: Record<string, unknown> = parsed ?? { kind: 'Cluster', apiVersion: 'kind.x-k8s.io/v1alpha4', nodes: [{ role: 'control-plane' }, { role: 'worker' }, { role: 'worker' }] };
  doc['networking'] = {
    ...(doc['networking'] as Record<string, unknown> | undefined),
    nodeSubnet: `127.${x}.0.0/24`,
    loadBalancerSubnet: `127.${x}.1.0/24`,
    serviceSubnet: `127.${x}.96.0/20`,
    podSubnet: `127.${x}.128.0/17`,
  };
  const nodes = (doc['nodes'] as Array<Record<string, unknown>> | undefined) ?? [];
  for (const node of nodes) {
    for (const mapping of (node['extraPortMappings'] as Array<Record<string, unknown>> | undefined) ?? []) mapping['listenAddress'] ??= `127.${x}.0.1`;
  }
  return doc;
}

/** Runs the kubelab command as a child process, without blocking this one. */
function kubelab(args: string[], timeoutMs: number): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [KUBELAB, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ status: code ?? -1, stdout, stderr });
    });
  });
}

/** Labs this process started and has not taken down: `kubelab down` for each if the process exits first. */
const running = new Set<string>();
let exitHook = false;
function downOnExit(dir: string): void {
  running.add(dir);
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const d of running) {
      spawnSync(process.execPath, [KUBELAB, 'down', '--dir', d], { stdio: 'ignore', timeout: 60_000 });
      // The folder stays (its logs tell what happened); the state in memory goes.
      removeKubeletState(d);
    }
  });
}

interface LabJson {
  processes: Array<{ name: string; logFile: string }>;
  nodes?: Array<{ name: string; role: string; ip: string; podCIDR: string }>;
  network?: Omit<ClusterNetwork, 'subnet' | 'hostIP'>;
}

/**
 * A whole lab, started the way people start one: `kubelab up --dir <tmp> --base-port <free>
 * --profile fast --config <kind.yaml>` as a child process, on a network of its own (127.X.0.0/16)
 * and control-plane ports of its own, so that test files run side by side. Returns once every
 * node is Ready; `down()` takes it down and removes its folder.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const subnet = await reserveLabSubnet();
  const ports = await reserveBasePort().catch((error: Error) => {
    subnet.release();
    throw error;
  });
  const dir = tempDir('cluster');
  const configFile = path.join(dir, 'kind.yaml');
  const release = () => {
    subnet.release();
    ports.release();
  };
  fs.writeFileSync(configFile, yaml.dump(clusterConfig(options.config, subnet.x)));
  const timeoutMs = options.timeoutMs ?? 60_000;
  downOnExit(dir);
  let stopped = false;
  const down = async () => {
    if (stopped) return;
    stopped = true;
    await kubelab(['down', '--dir', dir], 120_000);
    running.delete(dir);
    removeLab(dir);
    release();
  };
  const up = await kubelab(['up', '--dir', dir, '--base-port', String(ports.base), '--profile', options.profile ?? 'fast', '--config', configFile, '--timeout', String(Math.ceil(timeoutMs / 1000))], timeoutMs * 4);
  if (up.status !== 0) {
    const logs = readLogs(dir);
    await down();
    throw new Error(`kubelab up failed (exit ${up.status}):\n${up.stderr}${up.stdout}\n${logs}`);
  }
  const lab = JSON.parse(fs.readFileSync(path.join(dir, 'lab.json'), 'utf8')) as LabJson;
  const kubeconfig = path.join(dir, 'kubeconfig');
  return {
    dir,
    kubeconfig,
    env: { KUBECONFIG: kubeconfig },
    apiserverUrl: `http://127.0.0.1:${ports.base + 4}`,
    basePort: ports.base,
    nodes: (lab.nodes ?? []).map(({ name, role, ip, podCIDR }) => ({ name, role, ip, podCIDR })),
    network: {
      subnet: `127.${subnet.x}.0.0/16`,
      nodeSubnet: lab.network!.nodeSubnet,
      podSubnet: lab.network!.podSubnet,
      serviceSubnet: lab.network!.serviceSubnet,
      loadBalancerSubnet: lab.network!.loadBalancerSubnet,
      kubernetesServiceIP: lab.network!.kubernetesServiceIP,
      clusterDNS: lab.network!.clusterDNS,
      loadBalancerPool: lab.network!.loadBalancerPool,
      hostIP: `127.${subnet.x}.0.1`,
    },
    logs: (name?: string) => (name ? readLog(path.join(dir, 'logs', `${name}.log`)) : readLogs(dir)),
    down,
  };
}

function readLog(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Removes a lab's folder, and the kubelets' state on the tmpfs behind its data/kubelet. */
export function removeLab(dir: string): void {
  removeKubeletState(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Removes the kubelets' state of a lab when its data/kubelet is a symlink to a directory on the
 * tmpfs (packages/kubelab/src/lab/kubelet-state.ts): memory, not disk, so it goes with the lab.
 * Only a directory named as kubelab names them is removed.
 */
function removeKubeletState(dir: string): void {
  const link = path.join(dir, 'data', 'kubelet');
  if (!fs.lstatSync(link, { throwIfNoEntry: false })?.isSymbolicLink()) return;
  const target = path.resolve(path.dirname(link), fs.readlinkSync(link));
  if (/^\/dev\/shm\/kubelab-kubelet-[^/]+$/.test(target)) fs.rmSync(target, { recursive: true, force: true });
}

function readLogs(dir: string): string {
  const logs = path.join(dir, 'logs');
  const files = fs.existsSync(logs) ? fs.readdirSync(logs).sort() : [];
  return files.map((f) => `==> ${f} <==\n${readLog(path.join(logs, f)).split('\n').slice(-40).join('\n')}`).join('\n');
}
