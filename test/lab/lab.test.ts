import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { etcdctl, kubectl, KUBELAB, removeLab, reserveBasePort, reserveLabSubnet, ROOT, tempDir } from '@kubelab/testkit';

/** Runs the kubelab command as a person would, from the repository root. */
function kubelab(...args: string[]) {
  const result = spawnSync(process.execPath, [KUBELAB, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 150_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Whether something listens on ip:port. */
function listening(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: ip, port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** Whether a process runs: it exists and is not a zombie waiting for a parent to reap it. */
function alive(pid: number): boolean {
  try {
    return !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const NODES = ['kubelab-control-plane', 'kubelab-worker', 'kubelab-worker2'];
const NODE_PROCESSES = NODES.flatMap((node) => [`kubelet-${node}`, `kube-proxy-${node}`]);
const CONTROL_PLANE = ['nats', 'store', 'apiserver', 'scheduler', 'controller-manager'];
/** statfs(2)'s f_type of a tmpfs. */
const TMPFS_MAGIC = 0x01021994;

describe('kubelab up / status / down', () => {
  const dir = tempDir('lab');
  let base: number;
  /** This lab's addresses: 127.X.0.0/16 (`--subnet`), so that it runs beside other tests' labs. */
  let x: number;
  let subnet: string;
  const releases: Array<() => void> = [];
  let natsAgain: ChildProcess | undefined;
  const pids = () => (JSON.parse(fs.readFileSync(path.join(dir, 'lab.json'), 'utf8')) as { processes: Array<{ name: string; pid: number; startTime?: number; bootId?: string }> }).processes;

  afterAll(() => {
    kubelab('down', '--dir', dir);
    removeLab(dir);
    natsAgain?.kill('SIGKILL');
    for (const release of releases) release();
  });

  it('starts NATS and the control plane, then a kubelet and a kube-proxy per node on the node\'s IP, each its own process with its own log, and reports them healthy', async () => {
    const ports = await reserveBasePort();
    const network = await reserveLabSubnet();
    releases.push(ports.release, network.release);
    [base, x, subnet] = [ports.base, network.x, network.subnet];
    const up = kubelab('up', '--dir', dir, '--base-port', String(base), '--profile', 'fast', '--subnet', subnet);
    expect(up.stderr).toBe('');
    expect(up.status).toBe(0);
    expect(up.stdout).toMatch(/^COMPONENT\s+PID\s+ADDRESS\s+HEALTH$/m);
    expect(up.stdout).toMatch(new RegExp(`^nats\\s+\\d+\\s+nats://127\\.0\\.0\\.1:${base}\\s+healthy$`, 'm'));
    expect(up.stdout).toMatch(new RegExp(`^store\\s+\\d+\\s+http://127\\.0\\.0\\.1:${base + 2}\\s+healthy$`, 'm'));
    expect(up.stdout).toMatch(new RegExp(`^apiserver\\s+\\d+\\s+http://127\\.0\\.0\\.1:${base + 4}\\s+healthy$`, 'm'));
    expect(up.stdout).toMatch(new RegExp(`^scheduler\\s+\\d+\\s+http://127\\.0\\.0\\.1:${base + 6}\\s+healthy$`, 'm'));
    expect(up.stdout).toMatch(new RegExp(`^controller-manager\\s+\\d+\\s+http://127\\.0\\.0\\.1:${base + 7}\\s+healthy$`, 'm'));
    NODES.forEach((node, k) => {
      expect(up.stdout).toMatch(new RegExp(`^kubelet-${node}\\s+\\d+\\s+grpc://127\\.${x}\\.0\\.${2 + k}:10250\\s+healthy$`, 'm'));
      expect(up.stdout).toMatch(new RegExp(`^kube-proxy-${node}\\s+\\d+\\s+http://127\\.${x}\\.0\\.${2 + k}:10256\\s+healthy$`, 'm'));
    });
    // Where things are: each node's InternalIP and podCIDR, the Service range with kube-dns, the load balancers.
    expect(up.stdout).toMatch(new RegExp(`^kubelab-control-plane\\s+control-plane\\s+127\\.${x}\\.0\\.2\\s+127\\.${x}\\.128\\.0/24\\s+<none>$`, 'm'));
    expect(up.stdout).toMatch(new RegExp(`^kubelab-worker2\\s+worker\\s+127\\.${x}\\.0\\.4\\s+127\\.${x}\\.130\\.0/24\\s+<none>$`, 'm'));
    expect(up.stdout).toContain(`services 127.${x}.96.0/20 (kubernetes 127.${x}.96.1, kube-dns 127.${x}.96.10), load balancers 127.${x}.1.1-127.${x}.1.254`);
    const processes = pids();
    expect(processes.map((p) => p.name)).toEqual([...CONTROL_PLANE, ...NODE_PROCESSES]);
    expect(new Set(processes.map((p) => p.pid)).size).toBe(11);
    for (const p of processes) expect(alive(p.pid)).toBe(true);
    // Each process as it started: its start time (field 22 of /proc/<pid>/stat) and this boot, so that a pid reused after a reboot is not taken for it.
    const bootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    for (const p of processes) {
      const stat = fs.readFileSync(`/proc/${p.pid}/stat`, 'utf8');
      expect({ startTime: p.startTime, bootId: p.bootId }).toEqual({ startTime: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]), bootId });
    }
    for (const p of processes) expect(fs.existsSync(path.join(dir, 'logs', `${p.name}.log`))).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'logs', 'store.log'), 'utf8')).toContain('store ready');
    // The kubelets' state (containers, pod logs) is on the tmpfs, behind data/kubelet.
    const kubeletState = path.join(dir, 'data', 'kubelet');
    if (fs.statfsSync('/dev/shm').type === TMPFS_MAGIC && fs.statfsSync(dir).type !== TMPFS_MAGIC) {
      expect(fs.readlinkSync(kubeletState)).toMatch(/^\/dev\/shm\/kubelab-kubelet-/);
      for (const node of NODES) expect(fs.statfsSync(path.join(kubeletState, node, 'containers')).type).toBe(TMPFS_MAGIC);
    } else {
      expect(fs.lstatSync(kubeletState).isDirectory()).toBe(true);
    }
    expect(etcdctl(`127.0.0.1:${base + 2}`, ['put', '/kubelab-test/key', 'x']).stdout).toBe('OK\n');
  }, 180_000);

  it('returns only once every node is Ready: kubectl sees the three nodes, the control plane tainted, the workers without a role', () => {
    const kubeconfig = path.join(dir, 'kubeconfig');
    const nodes = kubectl(kubeconfig, ['get', 'nodes', '--no-headers', '-o', 'custom-columns=NAME:.metadata.name,IP:.status.addresses[?(@.type=="InternalIP")].address,CIDR:.spec.podCIDR,TAINTS:.spec.taints[*].key']);
    expect(nodes.stderr).toBe('');
    expect(nodes.stdout.trim().split('\n').map((line) => line.split(/\s+/))).toEqual([
      ['kubelab-control-plane', `127.${x}.0.2`, `127.${x}.128.0/24`, 'node-role.kubernetes.io/control-plane'],
      ['kubelab-worker', `127.${x}.0.3`, `127.${x}.129.0/24`, '<none>'],
      ['kubelab-worker2', `127.${x}.0.4`, `127.${x}.130.0/24`, '<none>'],
    ]);
    const table = kubectl(kubeconfig, ['get', 'nodes']).stdout;
    expect(table).toMatch(/^kubelab-control-plane\s+Ready\s+control-plane\s+/m);
    expect(table).toMatch(/^kubelab-worker\s+Ready\s+<none>\s+/m);
    // The Services of a fresh cluster take the first and tenth addresses of this lab's service range.
    const services = kubectl(kubeconfig, ['get', 'services', '-A', '--no-headers', '-o', 'custom-columns=NAME:.metadata.name,IP:.spec.clusterIP']).stdout;
    expect(services.trim().split('\n').map((line) => line.split(/\s+/))).toEqual([
      ['kubernetes', `127.${x}.96.1`],
      ['kube-dns', `127.${x}.96.10`],
    ]);
  });

  it('refuses to start a second lab on addresses this one uses, before starting anything', async () => {
    const other = await reserveBasePort();
    releases.push(other.release);
    const second = kubelab('up', '--dir', tempDir('lab-second'), '--base-port', String(other.base), '--subnet', subnet);
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(`cannot start the lab:\n  node IP 127.${x}.0.2 (kubelab-control-plane) is in use`);
    expect(second.stderr).toContain('start this one with `--subnet 127.X.0.0/16`');
    expect(await listening('127.0.0.1', other.base)).toBe(false);
  });

  it("refuses to start a second lab on this one's control-plane ports, naming each, before starting anything", async () => {
    const network = await reserveLabSubnet();
    releases.push(network.release);
    const secondDir = tempDir('lab-second-ports');
    const second = kubelab('up', '--dir', secondDir, '--base-port', String(base), '--subnet', network.subnet);
    expect(second.status).toBe(1);
    const names = ['NATS', 'NATS monitoring', 'store', 'store metrics', 'apiserver', 'apiserver gRPC', 'scheduler', 'controller-manager'];
    expect(second.stderr).toBe(
      `cannot start the lab:\n${names.map((name, i) => `  port 127.0.0.1:${base + i} (${name}) is in use; another lab may use these ports: start this one with \`--base-port N\` (it takes N to N+7)\n`).join('')}`,
    );
    expect(fs.existsSync(path.join(secondDir, 'lab.json'))).toBe(false);
    expect(await listening(`127.${network.x}.0.2`, 10250)).toBe(false);
  });

  it('writes a kubeconfig that the real kubectl uses to reach the apiserver, whose objects the store holds', () => {
    const printed = kubelab('kubeconfig', '--dir', dir);
    expect(printed.status).toBe(0);
    const kubeconfig = printed.stdout.trim();
    expect(kubeconfig).toBe(path.join(dir, 'kubeconfig'));
    const ns = kubectl(kubeconfig, ['get', 'ns']);
    expect(ns.stderr).toBe('');
    expect(ns.stdout).toMatch(/^default\s+Active\s+\S+$/m);
    expect(etcdctl(`127.0.0.1:${base + 2}`, ['get', '/registry/namespaces', '--prefix', '--keys-only']).stdout.split('\n').filter(Boolean)).toEqual([
      '/registry/namespaces/default',
      '/registry/namespaces/kube-node-lease',
      '/registry/namespaces/kube-public',
      '/registry/namespaces/kube-system',
    ]);
    expect(kubelab('kubeconfig', '--dir', tempDir('lab-none')).stderr).toContain('start a lab first with `kubelab up`');
  });

  it('says so instead of starting a second lab in the same folder', () => {
    const before = pids();
    const again = kubelab('up', '--dir', dir, '--base-port', String(base), '--subnet', subnet);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`a lab is already running in ${dir}`);
    expect(pids()).toEqual(before);
  });

  it("status shows each process, the nodes' too, with pid, address and health, then the nodes' addresses", () => {
    const status = kubelab('status', '--dir', dir);
    expect(status.status).toBe(0);
    expect(pids()).toHaveLength(11);
    for (const p of pids()) expect(status.stdout).toMatch(new RegExp(`^${p.name}\\s+${p.pid}\\s+\\S+\\s+healthy$`, 'm'));
    expect(status.stdout).toMatch(/^NODE\s+ROLE\s+INTERNAL-IP\s+POD-CIDR\s+HOST-PORTS$/m);
    expect(status.stdout).toMatch(new RegExp(`^kubelab-worker\\s+worker\\s+127\\.${x}\\.0\\.3\\s+127\\.${x}\\.129\\.0/24\\s+<none>$`, 'm'));
  });

  it('the store keeps serving when NATS dies, and reconnects when NATS is back', async () => {
    const nats = pids().find((p) => p.name === 'nats')!;
    process.kill(nats.pid, 'SIGKILL');
    await waitFor(() => !alive(nats.pid), { timeoutMs: 5_000, what: 'nats to die' });
    const status = kubelab('status', '--dir', dir);
    expect(status.status).toBe(1);
    expect(status.stdout).toMatch(/^nats\s+\d+\s+\S+\s+not running$/m);
    expect(status.stdout).toMatch(/^store\s+\d+\s+\S+\s+healthy$/m);
    expect(etcdctl(`127.0.0.1:${base + 2}`, ['get', '/kubelab-test/key', '--print-value-only']).stdout).toBe('x\n');
    const storeLog = path.join(dir, 'logs', 'store.log');
    await waitFor(() => fs.readFileSync(storeLog, 'utf8').includes('lost NATS'), { timeoutMs: 10_000, what: 'the store to notice' });
    natsAgain = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(base), '-m', String(base + 1)], { stdio: 'ignore' });
    await waitFor(() => fs.readFileSync(storeLog, 'utf8').includes('reconnected to NATS'), { timeoutMs: 20_000, what: 'the store to reconnect' });
    natsAgain.kill('SIGKILL');
  });

  it("down stops every process and the pods' containers (which kubelets leave running), and keeps data and logs", async () => {
    const kubeconfig = path.join(dir, 'kubeconfig');
    expect(kubectl(kubeconfig, ['run', 'web', '--image=nginx', '--port=80']).stdout).toBe('pod/web created\n');
    const ready = kubectl(kubeconfig, ['wait', '--for=condition=Ready', 'pod/web', '--timeout=60s'], { timeoutMs: 70_000 });
    expect(ready.stderr).toBe('');
    const podIP = kubectl(kubeconfig, ['get', 'pod', 'web', '-o', 'jsonpath={.status.podIP}']).stdout;
    expect(podIP).toMatch(new RegExp(`^127\\.${x}\\.1(29|30)\\.\\d+$`));
    expect(await listening(podIP, 80)).toBe(true);
    const processes = pids();
    const down = kubelab('down', '--dir', dir);
    expect(down.status).toBe(0);
    expect(down.stdout).toMatch(/^store \(pid \d+\): stopped$/m);
    expect(down.stdout).toMatch(/^kubelet-kubelab-worker \(pid \d+\): stopped$/m);
    expect(down.stdout).toMatch(/^pods of kubelab-worker2?: \d+ containers? stopped$/m);
    for (const p of processes) expect(alive(p.pid)).toBe(false);
    expect(await listening(podIP, 80)).toBe(false);
    expect(fs.existsSync(path.join(dir, 'lab.json'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'logs', 'store.log'))).toBe(true);
    expect(kubelab('status', '--dir', dir).stdout).toContain('no lab in');
    expect(kubelab('kubeconfig', '--dir', dir).stderr).toContain('start a lab first with `kubelab up`');
    // The data survives: a new lab on the same folder finds the key again.
    const again = kubelab('up', '--dir', dir, '--base-port', String(base), '--profile', 'fast', '--subnet', subnet);
    expect(again.status, again.stderr).toBe(0);
    expect(etcdctl(`127.0.0.1:${base + 2}`, ['get', '/kubelab-test/key', '--print-value-only']).stdout).toBe('x\n');
    expect(kubelab('down', '--dir', dir).status).toBe(0);
  }, 180_000);

  it('refuses a topology that is not a valid kind config, naming the field, and starts nothing', () => {
    const config = path.join(tempDir('lab-badconfig'), 'kind.yaml');
    fs.writeFileSync(config, 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n  - role: control-plane\n    rolez: worker\n');
    const result = kubelab('up', '--dir', path.dirname(config), '--config', config);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`invalid lab topology: ${config}: unable to decode config: field nodes[0].rolez not found in type v1alpha4.Node (known fields: role, image, labels, extraMounts, extraPortMappings, gpus, kubeadmConfigPatches, kubeadmConfigPatchesJSON6902, capacity)\n`);
    expect(fs.existsSync(path.join(path.dirname(config), 'lab.json'))).toBe(false);
  });

  it('explains how to install nats-server when it is missing', () => {
    const result = kubelab('up', '--dir', tempDir('lab-nonats'), '--nats-server', '/nonexistent/nats-server');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('/nonexistent/nats-server was not found on PATH');
    expect(result.stderr).toContain('apt-get install nats-server');
  });
});

describe('a lab whose store dies', () => {
  const dir = tempDir('lab-store-death');
  let store: ChildProcess | undefined;
  const releases: Array<() => void> = [];

  afterAll(() => {
    kubelab('down', '--dir', dir);
    removeLab(dir);
    store?.kill('SIGKILL');
    for (const release of releases) release();
  });

  it('keeps the apiserver up; kubectl gets an error while the store is gone and answers again once it is back', async () => {
    const ports = await reserveBasePort();
    const network = await reserveLabSubnet();
    releases.push(ports.release, network.release);
    const base = ports.base;
    // One node is enough here (kind's default topology: a single control-plane node).
    const config = path.join(dir, 'kind.yaml');
    fs.writeFileSync(config, 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\n');
    const up = kubelab('up', '--dir', dir, '--base-port', String(base), '--profile', 'fast', '--config', config, '--subnet', network.subnet);
    expect(up.stderr).toBe('');
    expect(up.status).toBe(0);
    const kubeconfig = path.join(dir, 'kubeconfig');
    const processes = (JSON.parse(fs.readFileSync(path.join(dir, 'lab.json'), 'utf8')) as { processes: Array<{ name: string; pid: number }> }).processes;
    const dead = processes.find((p) => p.name === 'store')!;
    process.kill(dead.pid, 'SIGKILL');
    await waitFor(() => !alive(dead.pid), { timeoutMs: 5_000, what: 'the store to die' });
    const during = kubectl(kubeconfig, ['get', 'ns']);
    expect(during.status).toBe(1);
    // As kube-apiserver answers when etcd is down: a 500 in grpc-go's words (usually `code =
    // Unavailable desc = connection error: desc = "transport: Error while dialing: ...connection refused"`).
    expect(during.stderr).toMatch(/^Error from server: rpc error: code = \w+ desc = /);
    expect(alive(processes.find((p) => p.name === 'apiserver')!.pid)).toBe(true);
    store = spawn(process.execPath, [KUBELAB, 'store', '--name', 'kubelab', '--data-dir', path.join(dir, 'data', 'store'), '--listen-client-urls', `http://127.0.0.1:${base + 2}`, '--listen-metrics-urls', `http://127.0.0.1:${base + 3}`], { stdio: 'ignore' });
    await waitFor(() => kubectl(kubeconfig, ['get', 'ns']).status === 0, { timeoutMs: 30_000, intervalMs: 250, what: 'kubectl to work again' });
    expect(kubectl(kubeconfig, ['get', 'ns', 'default', '-o', 'name']).stdout).toBe('namespace/default\n');
  }, 180_000);
});

describe('kubelab <component>', () => {
  it('runs a component alone in the foreground with etcd\'s flag names, and rejects bad flags clearly', () => {
    const help = kubelab('store', '--help');
    expect(help.status).toBe(0);
    for (const flag of ['--data-dir', '--listen-client-urls', '--advertise-client-urls', '--auto-compaction-retention']) expect(help.stdout).toContain(flag);
    const bad = kubelab('store', '--no-such-flag');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("unknown option '--no-such-flag'");
    const badUrl = kubelab('store', '--listen-client-urls', 'https://127.0.0.1:1');
    expect(badUrl.status).toBe(2);
    expect(badUrl.stderr).toContain('only http:// is served');
  });
});
