import { spawn, spawnSync } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { nftablesTables as tables, nftablesUnusable } from '@kubelab/testkit';
import { ask, backend, connectResult, endpointSlice, Lab, randomNet, service } from '../testing/fixtures';
import { NftSession } from './nft-session';

const unusable = nftablesUnusable();
if (unusable) console.warn(`skipping the nftables proxy mode tests: nftables cannot be used here (${unusable}); as root with Debian's nftables package they run`);

/** Real kernel rules end to end: an in-memory apiserver, kube-proxies in nftables mode, real TCP backends on 127.X addresses. */
describe.skipIf(unusable)('kube-proxy --proxy-mode nftables: NodePorts are DNAT rules owned by kube-proxy', () => {
  let lab: Lab;
  afterEach(async () => {
    await lab?.close();
  });

  async function setUp() {
    lab = await new Lab().start();
    return randomNet();
  }

  const nodePortOf = () => 30_000 + Math.floor(Math.random() * 2_700);

  /** A pod answering "pod" behind Service web's NodePort. */
  async function onePodBehindANodePort() {
    const ip = await setUp();
    const pod = await backend(ip(11), 'pod');
    lab.defer(() => pod.close());
    const nodePort = nodePortOf();
    lab.apply(service('web', { type: 'NodePort', clusterIP: ip(100), ports: [{ port: 80, nodePort }] }));
    lab.apply(endpointSlice('web', [{ ip: ip(11) }], [{ port: 8080 }]));
    return { ip, nodePort };
  }

  it('forwards a NodePort to the ready endpoints in turn, refuses it without one, and serves it again when one is ready; no socket listens on it', async () => {
    const ip = await setUp();
    const pods = [await backend(ip(11), 'a'), await backend(ip(12), 'b')];
    for (const p of pods) lab.defer(() => p.close());
    const nodePort = nodePortOf();
    lab.apply(service('web', { type: 'NodePort', clusterIP: ip(100), ports: [{ port: 80, nodePort }] }));
    lab.apply(endpointSlice('web', [{ ip: ip(11) }, { ip: ip(12) }], [{ port: 8080 }]));
    const proxy = await lab.kubeProxy('node-1', ip(2), { proxyMode: 'nftables' });
    await waitFor(async () => (await connectResult(ip(2), nodePort)) === 'ok', { what: 'the NodePort served' });

    const answers = [await ask(ip(2), nodePort), await ask(ip(2), nodePort), await ask(ip(2), nodePort), await ask(ip(2), nodePort)];
    expect(new Set(answers)).toEqual(new Set(['a', 'b']));
    expect(answers[0]).not.toBe(answers[1]);
    expect(answers[2]).toBe(answers[0]);
    expect(proxy.proxier.frontends().find((f) => f.kind === 'NodePort')).toMatchObject({ address: ip(2), port: nodePort, endpoints: 2, listening: true, connections: 0 });
    // The kernel answers it: kube-proxy holds no socket on the address (a bind succeeds).
    const probe = net.createServer();
    await new Promise<void>((resolve, reject) => (probe.once('error', reject), probe.listen(nodePort, ip(2), resolve)));
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    lab.apply(endpointSlice('web', [{ ip: ip(11), ready: false }, { ip: ip(12), ready: false }], [{ port: 8080 }]));
    await waitFor(async () => (await connectResult(ip(2), nodePort)) === 'ECONNREFUSED', { what: 'the NodePort refused without ready endpoints' });
    lab.apply(endpointSlice('web', [{ ip: ip(11), ready: false }, { ip: ip(12) }], [{ port: 8080 }]));
    await waitFor(async () => (await connectResult(ip(2), nodePort)) === 'ok', { what: 'the NodePort served again' });
    expect(await ask(ip(2), nodePort)).toBe('b');
    // ClusterIPs are still kube-proxy's sockets.
    expect(await ask(ip(100), 80)).toMatch(/^[ab]$/);
  });

  it('sessionAffinity ClientIP through a NodePort: each client IP stays on its endpoint, and endpoints coming and going keep the others\' affinity', async () => {
    const ip = await setUp();
    const pods = [await backend(ip(11), 'a'), await backend(ip(12), 'b'), await backend(ip(13), 'c')];
    for (const p of pods) lab.defer(() => p.close());
    const nodePort = nodePortOf();
    lab.apply(service('web', { type: 'NodePort', clusterIP: ip(100), ports: [{ port: 80, nodePort }], sessionAffinity: { timeoutSeconds: 600 } }));
    lab.apply(endpointSlice('web', [{ ip: ip(11) }, { ip: ip(12) }], [{ port: 8080 }]));
    await lab.kubeProxy('node-1', ip(2), { proxyMode: 'nftables' });
    await waitFor(async () => (await connectResult(ip(2), nodePort)) === 'ok', { what: 'the NodePort served' });

    const many = async (from: string) => {
      const answers: string[] = [];
      for (let i = 0; i < 4; i++) answers.push(await ask(ip(2), nodePort, from));
      return answers;
    };
    const first = await many(ip(51));
    const second = await many(ip(52));
    expect(new Set(first).size).toBe(1);
    expect(new Set(second).size).toBe(1);
    expect(new Set([...first, ...second])).toEqual(new Set(['a', 'b']));

    lab.apply(endpointSlice('web', [{ ip: ip(11) }, { ip: ip(12) }, { ip: ip(13) }], [{ port: 8080 }]));
    // New clients each round (a client sent to a or b before the sync stays there).
    let client = 60;
    await waitFor(async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 3 && client < 250; i++) seen.add(await ask(ip(2), nodePort, ip(client++)));
      return seen.has('c');
    }, { what: 'the third endpoint taking new clients' });
    expect(await many(ip(51))).toEqual(first);
    expect(await many(ip(52))).toEqual(second);
  });

  it("externalTrafficPolicy Local: NodePort traffic only to this node's endpoints", async () => {
    const ip = await setUp();
    const pods = [await backend(ip(11), 'here'), await backend(ip(12), 'there')];
    for (const p of pods) lab.defer(() => p.close());
    const nodePort = nodePortOf();
    lab.apply(service('web', { type: 'NodePort', clusterIP: ip(100), ports: [{ port: 80, nodePort }], externalTrafficPolicy: 'Local' }));
    lab.apply(endpointSlice('web', [{ ip: ip(11), nodeName: 'node-1' }, { ip: ip(12), nodeName: 'node-2' }], [{ port: 8080 }]));
    await lab.kubeProxy('node-1', ip(2), { proxyMode: 'nftables' });
    await waitFor(async () => (await connectResult(ip(2), nodePort)) === 'ok', { what: 'the NodePort served' });
    const answers = new Set<string>();
    for (let i = 0; i < 4; i++) answers.add(await ask(ip(2), nodePort));
    expect(answers).toEqual(new Set(['here']));
  });

  it('a changed nodePort: the old one refuses at once, the new one answers, and a connection made before goes on (conntrack)', async () => {
    const ip = await setUp();
    const echo = net.createServer({ allowHalfOpen: true }, (socket) => (socket.on('error', () => {}), socket.pipe(socket)));
    const open = new Set<net.Socket>();
    echo.on('connection', (s) => (open.add(s), s.on('close', () => open.delete(s))));
    await new Promise<void>((resolve) => echo.listen(8080, ip(11), resolve));
    lab.defer(() => new Promise((resolve) => (open.forEach((s) => s.destroy()), echo.close(() => resolve()))));
    const nodePort = nodePortOf();
    const web = (node: number) => service('web', { type: 'NodePort', clusterIP: ip(100), ports: [{ port: 80, nodePort: node }] });
    lab.apply(web(nodePort));
    lab.apply(endpointSlice('web', [{ ip: ip(11) }], [{ port: 8080 }]));
    await lab.kubeProxy('node-1', ip(2), { proxyMode: 'nftables' });
    await waitFor(() => canEcho(ip(2), nodePort), { what: 'the NodePort served' });

    const socket = net.connect({ host: ip(2), port: nodePort });
    socket.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => (socket.once('connect', resolve), socket.once('error', reject)));
    const say = (word: string) => new Promise<string>((resolve) => (socket.once('data', resolve), socket.write(word)));
    expect(await say('before')).toBe('before');

    lab.apply(web(nodePort + 1));
    await waitFor(() => canEcho(ip(2), nodePort + 1), { what: 'the new nodePort served' });
    expect(await canEcho(ip(2), nodePort)).toBe(false);
    expect(await say('after')).toBe('after');
    socket.destroy();
  });

  it('the rules live as long as their kube-proxy: gone when it stops, gone when it is killed with SIGKILL (its NodePort refuses), rebuilt when nft dies under it', async () => {
    const { ip, nodePort } = await onePodBehindANodePort();

    // In this process: nft killed under it, then kube-proxy stopped.
    const proxy = await lab.kubeProxy('node-1', ip(2), { proxyMode: 'nftables' }, { bindRetryMs: 100 });
    await waitFor(async () => (await connectResult(ip(2), nodePort)) === 'ok', { what: 'the NodePort served' });
    const ours = tables().filter((t) => t.startsWith(`kube-proxy-node-1-${process.pid}`));
    expect(ours).toHaveLength(1);
    const nftChildren = () => spawnSync('pgrep', ['-P', String(process.pid), '-x', 'nft'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
    const killed = nftChildren();
    expect(killed).toHaveLength(1);
    process.kill(killed[0]!, 'SIGKILL');
    await waitFor(() => nftChildren().some((pid) => !killed.includes(pid)), { what: 'a new nft session' });
    await waitFor(async () => (await connectResult(ip(2), nodePort)) === 'ok', { what: 'the new session rebuilding the rules' });
    expect(tables().filter((t) => t.startsWith(`kube-proxy-node-1-${process.pid}`))).toHaveLength(1);
    await proxy.close();
    expect(await connectResult(ip(2), nodePort)).toBe('ECONNREFUSED');
    expect(tables().filter((t) => t.startsWith(`kube-proxy-node-1-${process.pid}`))).toEqual([]);

    // A kube-proxy process killed with SIGKILL: its nft session reads the end of its stdin and the kernel drops the table.
    const bin = path.resolve(__dirname, '../../../../packages/kubelab/bin/kubelab.js');
    const child = spawn(process.execPath, [bin, 'kube-proxy', '--node-name', 'node-9', '--master', lab.masterAddress, '--nodeport-addresses', ip(2), '--healthz-bind-address', '', '--metrics-bind-address', '', '--proxy-mode', 'nftables', '--log-level', 'warn'], { stdio: 'ignore' });
    lab.defer(async () => void child.kill('SIGKILL'));
    await waitFor(async () => (await connectResult(ip(2), nodePort)) === 'ok', { timeoutMs: 20_000, what: 'the kube-proxy process serving the NodePort' });
    expect(tables().filter((t) => t === `kube-proxy-node-9-${child.pid}`)).toHaveLength(1);
    child.kill('SIGKILL');
    await waitFor(async () => (await connectResult(ip(2), nodePort)) === 'ECONNREFUSED', { what: "the NodePort refused once its kube-proxy is dead" });
    await waitFor(() => !tables().includes(`kube-proxy-node-9-${child.pid}`), { what: 'the table gone' });
  });

  it('--proxy-mode nftables without a usable nft does not start; left to choose, kube-proxy falls back to a socket per NodePort', async () => {
    const { ip, nodePort } = await onePodBehindANodePort();
    await expect(lab.kubeProxy('node-1', ip(2), { proxyMode: 'nftables' }, { nft: '/nonexistent/nft' })).rejects.toThrow(/^--proxy-mode nftables: nftables cannot be used here: nft -i exited \(code 127\)/);
    const proxy = await lab.kubeProxy('node-1', ip(2), { proxyMode: '' }, { nft: '/nonexistent/nft' });
    await waitFor(async () => (await connectResult(ip(2), nodePort)) === 'ok', { what: 'the NodePort served by a socket' });
    expect(proxy.proxier.frontends().find((f) => f.kind === 'NodePort')).toMatchObject({ listening: true, waiting: false });
    // A socket holds the address now.
    const probe = net.createServer();
    await expect(new Promise<void>((resolve, reject) => (probe.once('error', reject), probe.listen(nodePort, ip(2), resolve)))).rejects.toThrow(/EADDRINUSE/);
  });

  it('a refused transaction applies nothing and says why, in nft\'s words', async () => {
    const table = `kubelab-test-${process.pid}`;
    const session = await NftSession.start({ table });
    try {
      await session.run([`add chain ip ${table} a`]);
      await expect(session.run([`add chain ip ${table} b`, `add rule ip ${table} nosuch accept`])).rejects.toThrow(/Error: Could not process rule: No such file or directory/);
      const listed = spawnSync('nft', ['list', 'table', 'ip', table], { encoding: 'utf8' }).stdout;
      expect(listed).toMatch(/chain a \{/);
      expect(listed).not.toMatch(/chain b \{/);
      await expect(session.run([`add chain ip ${table} c`])).resolves.toBeUndefined();
    } finally {
      await session.close();
    }
    expect(tables()).not.toContain(table);
  });
});

/** Whether a connection echoes what it is sent (the echo server behind the NodePort). */
async function canEcho(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port }, () => socket.write('ping'));
    socket.setEncoding('utf8');
    socket.setTimeout(2_000, () => (socket.destroy(), resolve(false)));
    socket.once('data', (d: string) => (socket.destroy(), resolve(d === 'ping')));
    socket.once('error', () => resolve(false));
  });
}
