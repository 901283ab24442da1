import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { ask, backend, canConnect, connectResult, endpointSlice, Lab, randomNet, service } from './testing/fixtures';

/** Real sockets end to end: an in-memory apiserver, real kube-proxies, real TCP backends on 127.X addresses. */
describe('kube-proxy: Services really route', () => {
  let lab: Lab;
  afterEach(async () => {
    await lab?.close();
  });

  async function setUp() {
    lab = await new Lab().start();
    return randomNet();
  }

  async function askMany(host: string, port: number, times: number, localAddress?: string): Promise<string[]> {
    const answers: string[] = [];
    for (let i = 0; i < times; i++) answers.push(await ask(host, port, localAddress));
    return answers;
  }

  it('forwards ClusterIP connections to ready endpoints only, and /healthz says it has synced', async () => {
    const ip = await setUp();
    const [ready, notReady] = [await backend(ip(11), 'ready'), await backend(ip(12), 'not-ready')];
    lab.defer(() => ready.close());
    lab.defer(() => notReady.close());
    lab.apply(service('web', { clusterIP: ip(100), ports: [{ port: 80 }] }));
    lab.apply(endpointSlice('web', [{ ip: ip(11) }, { ip: ip(12), ready: false }], [{ port: 8080 }]));
    const proxy = await lab.kubeProxy('node-1', ip(2));

    await waitFor(async () => (await connectResult(ip(100), 80)) === 'ok', { what: 'the ClusterIP served' });
    expect(new Set(await askMany(ip(100), 80, 6))).toEqual(new Set(['ready']));
    expect(notReady.connections()).toBe(0);

    const healthz = await fetch(`${proxy.healthzUrl}/healthz`);
    expect(healthz.status).toBe(200);
    expect(healthz.headers.get('content-type')).toBe('application/json');
    expect(Object.keys((await healthz.json()) as object)).toEqual(['lastUpdated', 'currentTime', 'nodeEligible']);
  });

  it('spreads connections round-robin over the ready endpoints', async () => {
    const ip = await setUp();
    const pods = [await backend(ip(11), 'a'), await backend(ip(12), 'b')];
    for (const p of pods) lab.defer(() => p.close());
    lab.apply(service('web', { clusterIP: ip(100), ports: [{ name: 'http', port: 80 }] }));
    lab.apply(endpointSlice('web', [{ ip: ip(11) }, { ip: ip(12) }], [{ name: 'http', port: 8080 }]));
    const proxy = await lab.kubeProxy('node-1', ip(2));
    await waitFor(async () => (await connectResult(ip(100), 80)) === 'ok', { what: 'the ClusterIP served' });

    const answers = await askMany(ip(100), 80, 10);
    expect(answers.filter((a) => a === 'a').length).toBe(5);
    expect(answers.filter((a) => a === 'b').length).toBe(5);
    // Every spliced connection is closed once both sides are done.
    await waitFor(() => proxy.proxier.frontends()[0]!.connections === 0, { what: 'the connections closed' });
  });

  it('refuses connections while a Service has no ready endpoint, and serves again when one is ready', async () => {
    const ip = await setUp();
    const pod = await backend(ip(11), 'pod');
    lab.defer(() => pod.close());
    lab.apply(service('web', { clusterIP: ip(100), ports: [{ port: 80 }] }));
    await lab.kubeProxy('node-1', ip(2));
    expect(await connectResult(ip(100), 80)).toBe('ECONNREFUSED');

    lab.apply(endpointSlice('web', [{ ip: ip(11) }], [{ port: 8080 }]));
    await waitFor(async () => (await connectResult(ip(100), 80)) === 'ok', { what: 'the ClusterIP served once the endpoint is ready' });
    expect(await ask(ip(100), 80)).toBe('pod');

    // Readiness lost: the Service refuses again (as iptables' REJECT for a Service without endpoints).
    lab.apply(endpointSlice('web', [{ ip: ip(11), ready: false }], [{ port: 8080 }]));
    await waitFor(async () => (await connectResult(ip(100), 80)) === 'ECONNREFUSED', { what: 'the ClusterIP refused again' });
  });

  it('relays a big stream both ways, with back-pressure and half-close', async () => {
    const ip = await setUp();
    // An echo server that answers after the client's half-close, as `nc` or an HTTP/1.0 upload would see.
    const echo = net.createServer({ allowHalfOpen: true }, (socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(8080, ip(11), resolve));
    lab.defer(() => new Promise((resolve) => echo.close(() => resolve())));
    lab.apply(service('echo', { clusterIP: ip(100), ports: [{ port: 80 }] }));
    lab.apply(endpointSlice('echo', [{ ip: ip(11) }], [{ port: 8080 }]));
    await lab.kubeProxy('node-1', ip(2));
    await waitFor(() => canConnect(ip(100), 80), { what: 'the ClusterIP served' });

    const payload = Buffer.alloc(16 * 1024 * 1024);
    for (let i = 0; i < payload.length; i += 4) payload.writeUInt32LE(i, i);
    const received = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const socket = net.connect({ host: ip(100), port: 80, allowHalfOpen: true }, () => socket.end(payload));
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('end', () => resolve(Buffer.concat(chunks)));
      socket.on('error', reject);
    });
    expect(received.length).toBe(payload.length);
    expect(received.equals(payload)).toBe(true);
  });

  it('tries the next endpoint when the one picked refuses', async () => {
    const ip = await setUp();
    const pod = await backend(ip(11), 'alive');
    lab.defer(() => pod.close());
    lab.apply(service('web', { clusterIP: ip(100), ports: [{ port: 80 }] }));
    // ip(12) is ready in the API but nothing listens there (the process just died).
    lab.apply(endpointSlice('web', [{ ip: ip(11) }, { ip: ip(12) }], [{ port: 8080 }]));
    await lab.kubeProxy('node-1', ip(2));
    await waitFor(async () => (await connectResult(ip(100), 80)) === 'ok', { what: 'the ClusterIP served' });
    expect(await askMany(ip(100), 80, 4)).toEqual(['alive', 'alive', 'alive', 'alive']);
  });

  it('serves a NodePort on the node IP and a LoadBalancer on its ingress IP', async () => {
    const ip = await setUp();
    const pod = await backend(ip(11), 'pod');
    lab.defer(() => pod.close());
    const nodePort = 30_000 + Math.floor(Math.random() * 2_000);
    lab.apply(service('web', { type: 'LoadBalancer', clusterIP: ip(100), loadBalancerIPs: [ip(200)], ports: [{ port: 80, nodePort }] }));
    lab.apply(endpointSlice('web', [{ ip: ip(11) }], [{ port: 8080 }]));
    const proxy = await lab.kubeProxy('node-1', ip(2));
    await waitFor(async () => (await connectResult(ip(200), 80)) === 'ok', { what: 'the LoadBalancer served' });

    expect(await ask(ip(2), nodePort)).toBe('pod');
    expect(await ask(ip(200), 80)).toBe('pod');
    expect(await ask(ip(100), 80)).toBe('pod');
    expect(proxy.proxier.frontends().map((f) => `${f.kind} ${f.address}:${f.port}`).sort()).toEqual([`ClusterIP ${ip(100)}:80`, `LoadBalancer ${ip(200)}:80`, `NodePort ${ip(2)}:${nodePort}`]);
  });

  it('sessionAffinity ClientIP keeps each client on its endpoint', async () => {
    const ip = await setUp();
    const pods = [await backend(ip(11), 'a'), await backend(ip(12), 'b')];
    for (const p of pods) lab.defer(() => p.close());
    lab.apply(service('web', { clusterIP: ip(100), ports: [{ port: 80 }], sessionAffinity: {} }));
    lab.apply(endpointSlice('web', [{ ip: ip(11) }, { ip: ip(12) }], [{ port: 8080 }]));
    await lab.kubeProxy('node-1', ip(2));
    await waitFor(async () => (await connectResult(ip(100), 80)) === 'ok', { what: 'the ClusterIP served' });

    // Two pods, two source addresses: each stays with one endpoint, and they were spread.
    const first = await askMany(ip(100), 80, 5, ip(51));
    const second = await askMany(ip(100), 80, 5, ip(52));
    expect(new Set(first).size).toBe(1);
    expect(new Set(second).size).toBe(1);
    expect(new Set([...first, ...second])).toEqual(new Set(['a', 'b']));
  });

  it('externalTrafficPolicy Local: NodePort traffic only to this node\'s endpoints, ClusterIP traffic to all', async () => {
    const ip = await setUp();
    const pods = [await backend(ip(11), 'here'), await backend(ip(12), 'there')];
    for (const p of pods) lab.defer(() => p.close());
    const nodePort = 30_000 + Math.floor(Math.random() * 2_000);
    lab.apply(service('web', { type: 'NodePort', clusterIP: ip(100), ports: [{ port: 80, nodePort }], externalTrafficPolicy: 'Local' }));
    lab.apply(endpointSlice('web', [{ ip: ip(11), nodeName: 'node-1' }, { ip: ip(12), nodeName: 'node-2' }], [{ port: 8080 }]));
    await lab.kubeProxy('node-1', ip(2));
    await waitFor(async () => (await connectResult(ip(2), nodePort)) === 'ok', { what: 'the NodePort served' });

    expect(new Set(await askMany(ip(2), nodePort, 4))).toEqual(new Set(['here']));
    expect(new Set(await askMany(ip(100), 80, 4))).toEqual(new Set(['here', 'there']));
  });

  it('a second kube-proxy takes over a ClusterIP when the one holding it stops', async () => {
    const ip = await setUp();
    const pod = await backend(ip(11), 'pod');
    lab.defer(() => pod.close());
    lab.apply(service('web', { clusterIP: ip(100), ports: [{ port: 80 }] }));
    lab.apply(endpointSlice('web', [{ ip: ip(11) }], [{ port: 8080 }]));
    const first = await lab.kubeProxy('node-1', ip(2));
    await waitFor(() => first.proxier.frontends()[0]?.listening, { what: 'node-1 holding the ClusterIP' });
    const second = await lab.kubeProxy('node-2', ip(3));
    await waitFor(() => second.proxier.frontends()[0]?.waiting, { what: 'node-2 waiting for the ClusterIP' });
    expect(second.proxier.frontends()[0]!.listening).toBe(false);

    await first.close();
    await waitFor(() => second.proxier.frontends()[0]?.listening, { what: 'node-2 taking over the ClusterIP' });
    expect(await ask(ip(100), 80)).toBe('pod');
  });

  it('publishes an extra port mapping: listenAddress:hostPort forwards to <node IP>:containerPort', async () => {
    const ip = await setUp();
    const pod = await backend(ip(11), 'pod');
    lab.defer(() => pod.close());
    const nodePort = 30_000 + Math.floor(Math.random() * 2_000);
    lab.apply(service('web', { type: 'NodePort', clusterIP: ip(100), ports: [{ port: 80, nodePort }] }));
    lab.apply(endpointSlice('web', [{ ip: ip(11) }], [{ port: 8080 }]));
    await lab.kubeProxy('node-1', ip(2), { extraPortMappings: [{ listenAddress: ip(250), hostPort: 8000, containerPort: nodePort }] });
    await waitFor(async () => (await connectResult(ip(250), 8000)) === 'ok', { what: 'the host port served' });
    expect(await ask(ip(250), 8000)).toBe('pod');
  });

  it('skips UDP ports and serves no socket for a deleted Service', async () => {
    const ip = await setUp();
    const pod = await backend(ip(11), 'pod');
    lab.defer(() => pod.close());
    const web = service('web', { clusterIP: ip(100), ports: [{ name: 'tcp', port: 80 }, { name: 'udp', port: 81, protocol: 'UDP' }] });
    lab.apply(web);
    lab.apply(endpointSlice('web', [{ ip: ip(11) }], [{ name: 'tcp', port: 8080 }, { name: 'udp', port: 8081, protocol: 'UDP' }]));
    const proxy = await lab.kubeProxy('node-1', ip(2));
    await waitFor(async () => (await connectResult(ip(100), 80)) === 'ok', { what: 'the ClusterIP served' });
    expect(proxy.proxier.frontends().map((f) => f.port)).toEqual([80]);

    lab.remove(web);
    await waitFor(() => proxy.proxier.frontends().length === 0, { what: 'the socket closed' });
    expect(await connectResult(ip(100), 80)).toBe('ECONNREFUSED');
    const metrics = await (await fetch(`${proxy.metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(/kubeproxy_sync_proxy_rules_last_timestamp_seconds \d/);
    expect(metrics).toMatch(/kubelab_proxy_connections_total\{result="forwarded"\} [1-9]/);
  });
});
