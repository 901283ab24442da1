import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { etcdctl, kubectl, KUBELAB, ROOT, tempDir } from '@kubelab/testkit';

/** Runs the kubelab command as a person would, from the repository root. */
function kubelab(...args: string[]) {
  const result = spawnSync(process.execPath, [KUBELAB, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Whether a process runs: it exists and is not a zombie waiting for a parent to reap it. */
function alive(pid: number): boolean {
  try {
    return !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer().once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A base port with the lab's eight consecutive ports free (NATS, its monitor, store, store metrics, apiserver, its gRPC, scheduler, controller-manager). */
async function freeBasePort(): Promise<number> {
  for (;;) {
    // Below Linux's ephemeral range (32768-60999): the ports other tests take with port 0 never
    // land here while this lab is down between two `up`s.
    const base = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map((i) => portFree(base + i)));
    if (free.every(Boolean)) return base;
  }
}

describe('kubelab up / status / down', () => {
  const dir = tempDir('lab');
  let base: number;
  let natsAgain: ChildProcess | undefined;
  const pids = () => (JSON.parse(fs.readFileSync(path.join(dir, 'lab.json'), 'utf8')) as { processes: Array<{ name: string; pid: number }> }).processes;

  afterAll(() => {
    kubelab('down', '--dir', dir);
    natsAgain?.kill('SIGKILL');
  });

  it('starts NATS, the store, the apiserver, the scheduler and the controller-manager as separate processes, each with its own log, and reports them healthy', async () => {
    base = await freeBasePort();
    const up = kubelab('up', '--dir', dir, '--base-port', String(base), '--profile', 'fast');
    expect(up.stderr).toBe('');
    expect(up.status).toBe(0);
    expect(up.stdout).toMatch(/^COMPONENT\s+PID\s+ADDRESS\s+HEALTH$/m);
    expect(up.stdout).toMatch(new RegExp(`^nats\\s+\\d+\\s+nats://127\\.0\\.0\\.1:${base}\\s+healthy$`, 'm'));
    expect(up.stdout).toMatch(new RegExp(`^store\\s+\\d+\\s+http://127\\.0\\.0\\.1:${base + 2}\\s+healthy$`, 'm'));
    expect(up.stdout).toMatch(new RegExp(`^apiserver\\s+\\d+\\s+http://127\\.0\\.0\\.1:${base + 4}\\s+healthy$`, 'm'));
    expect(up.stdout).toMatch(new RegExp(`^scheduler\\s+\\d+\\s+http://127\\.0\\.0\\.1:${base + 6}\\s+healthy$`, 'm'));
    expect(up.stdout).toMatch(new RegExp(`^controller-manager\\s+\\d+\\s+http://127\\.0\\.0\\.1:${base + 7}\\s+healthy$`, 'm'));
    const processes = pids();
    expect(processes.map((p) => p.name)).toEqual(['nats', 'store', 'apiserver', 'scheduler', 'controller-manager']);
    expect(new Set(processes.map((p) => p.pid)).size).toBe(5);
    for (const p of processes) expect(alive(p.pid)).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'logs', 'store.log'), 'utf8')).toContain('store ready');
    expect(etcdctl(`127.0.0.1:${base + 2}`, ['put', '/kubelab-test/key', 'x']).stdout).toBe('OK\n');
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

  it('says so instead of starting a second lab', () => {
    const before = pids();
    const again = kubelab('up', '--dir', dir, '--base-port', String(base));
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`a lab is already running in ${dir}`);
    expect(pids()).toEqual(before);
  });

  it('status shows each process with pid, address and health', () => {
    const status = kubelab('status', '--dir', dir);
    expect(status.status).toBe(0);
    for (const p of pids()) expect(status.stdout).toMatch(new RegExp(`^${p.name}\\s+${p.pid}\\s+\\S+\\s+healthy$`, 'm'));
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

  it('down stops every process and keeps data and logs', async () => {
    const processes = pids();
    const down = kubelab('down', '--dir', dir);
    expect(down.status).toBe(0);
    expect(down.stdout).toMatch(/^store \(pid \d+\): stopped$/m);
    for (const p of processes) expect(alive(p.pid)).toBe(false);
    expect(fs.existsSync(path.join(dir, 'lab.json'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'logs', 'store.log'))).toBe(true);
    expect(kubelab('status', '--dir', dir).stdout).toContain('no lab in');
    expect(kubelab('kubeconfig', '--dir', dir).stderr).toContain('start a lab first with `kubelab up`');
    // The data survives: a new lab on the same folder finds the key again.
    const again = kubelab('up', '--dir', dir, '--base-port', String(base));
    expect(again.status, again.stderr).toBe(0);
    expect(etcdctl(`127.0.0.1:${base + 2}`, ['get', '/kubelab-test/key', '--print-value-only']).stdout).toBe('x\n');
    expect(kubelab('down', '--dir', dir).status).toBe(0);
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

  afterAll(() => {
    kubelab('down', '--dir', dir);
    store?.kill('SIGKILL');
  });

  it('keeps the apiserver up; kubectl gets an error while the store is gone and answers again once it is back', async () => {
    const base = await freeBasePort();
    expect(kubelab('up', '--dir', dir, '--base-port', String(base), '--profile', 'fast').status).toBe(0);
    const kubeconfig = path.join(dir, 'kubeconfig');
    const processes = (JSON.parse(fs.readFileSync(path.join(dir, 'lab.json'), 'utf8')) as { processes: Array<{ name: string; pid: number }> }).processes;
    const dead = processes.find((p) => p.name === 'store')!;
    process.kill(dead.pid, 'SIGKILL');
    await waitFor(() => !alive(dead.pid), { timeoutMs: 5_000, what: 'the store to die' });
    const during = kubectl(kubeconfig, ['get', 'ns']);
    expect(during.status).toBe(1);
    expect(during.stderr).toContain('Error from server (InternalError)');
    expect(alive(processes.find((p) => p.name === 'apiserver')!.pid)).toBe(true);
    store = spawn(process.execPath, [KUBELAB, 'store', '--name', 'kubelab', '--data-dir', path.join(dir, 'data', 'store'), '--listen-client-urls', `http://127.0.0.1:${base + 2}`, '--listen-metrics-urls', `http://127.0.0.1:${base + 3}`], { stdio: 'ignore' });
    await waitFor(() => kubectl(kubeconfig, ['get', 'ns']).status === 0, { timeoutMs: 30_000, intervalMs: 250, what: 'kubectl to work again' });
    expect(kubectl(kubeconfig, ['get', 'ns', 'default', '-o', 'name']).stdout).toBe('namespace/default\n');
  });
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
