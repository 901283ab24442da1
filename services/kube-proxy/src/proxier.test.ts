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

  /** An echo server on host:8080 (each connection gets back what it sends, and its half-close). */
  async function echoServer(host: string): Promise<void> {
    const sockets = new Set<net.Socket>();
    const echo = net.createServer({ allowHalfOpen: true }, (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
      socket.pipe(socket);
    });
    await new Promise<void>((resolve) => echo.listen(8080, host, resolve));
    lab.defer(() => new Promise((resolve) => (sockets.forEach((s) => s.destroy()), echo.close(() => resolve()))));
  }

  /** A connection kept open: `say` sends a word and resolves with its echo; `closed` resolves (with the error code, if any) once it is closed. */
  async function conversation(host: string, port: number) {
    const socket = net.connect({ host, port });
    socket.setEncoding('utf8');
    let error: string | undefined;
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code));
    const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(error ?? 'closed')));
    await new Promise<void>((resolve, reject) => (socket.once('connect', resolve), socket.once('error', reject)));
    return {
      say: (word: string) =>
        new Promise<string>((resolve, reject) => {
          const timer = setTimeout(() => finish(() => reject(new Error(`no echo of "${word}"`))), 2_000);
          const onData = (data: string) => finish(() => resolve(data));
          const onClose = () => finish(() => reject(new Error(`connection closed (${error ?? 'no error'})`)));
          const finish = (then: () => void) => (clearTimeout(timer), socket.off('data', onData), socket.off('close', onClose), then());
          socket.on('data', onData);
          socket.once('close', onClose);
          socket.write(word);
        }),
      end: () => (socket.end(), closed),
      closed,
    };
  }

  /** The kubelab_proxy_open_connections gauge: spliced sockets still open, of live and gone frontends. */
  async function openConnections(proxy: { metricsUrl?: string }): Promise<number> {
    const text = await (await fetch(`${proxy.metricsUrl}/metrics`)).text();
    return Number(/^kubelab_proxy_open_connections (\d+)$/m.exec(text)?.[1]);
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

  it('leaves established connections alone when a Service\'s ports change or it is deleted, and serves a freed address again at once', async () => {
    const ip = await setUp();
    await echoServer(ip(11));
    const nodePort = 30_000 + Math.floor(Math.random() * 2_000);
    const web = (port: number, node: number) => service('web', { type: 'NodePort', clusterIP: ip(100), ports: [{ port, nodePort: node }] });
    lab.apply(web(80, nodePort));
    lab.apply(endpointSlice('web', [{ ip: ip(11) }], [{ port: 8080 }]));
    const proxy = await lab.kubeProxy('node-1', ip(2));
    await waitFor(async () => (await canConnect(ip(100), 80)) && (await canConnect(ip(2), nodePort)), { what: 'the ClusterIP and the NodePort served' });
    const viaClusterIP = await conversation(ip(100), 80);
    const viaNodePort = await conversation(ip(2), nodePort);
    expect(await viaClusterIP.say('a')).toBe('a');
    expect(await viaNodePort.say('a')).toBe('a');

    // Port and nodePort changed: new connections go to the new ones, established ones go on.
    lab.apply(web(81, nodePort + 1));
    await waitFor(async () => (await canConnect(ip(100), 81)) && (await canConnect(ip(2), nodePort + 1)), { what: 'the new ports served' });
    expect(await connectResult(ip(100), 80)).toBe('ECONNREFUSED');
    expect(await connectResult(ip(2), nodePort)).toBe('ECONNREFUSED');
    expect(await viaClusterIP.say('b')).toBe('b');
    expect(await viaNodePort.say('b')).toBe('b');

    // Deleted: nothing listens, established connections still go on.
    lab.remove(web(81, nodePort + 1));
    await waitFor(() => proxy.proxier.frontends().length === 0, { what: 'the frontends gone' });
    expect(await connectResult(ip(100), 81)).toBe('ECONNREFUSED');
    expect(await viaClusterIP.say('c')).toBe('c');
    expect(await viaNodePort.say('c')).toBe('c');

    // Back on the first ports, whose old sockets still carry connections: bound at the first try.
    lab.apply(web(80, nodePort));
    await waitFor(() => proxy.proxier.frontends().length === 2 && proxy.proxier.frontends().every((f) => f.listening || f.waiting), { what: 'the frontends bound again' });
    expect(proxy.proxier.frontends().map((f) => [f.port, f.listening, f.waiting])).toEqual(expect.arrayContaining([[80, true, false], [nodePort, true, false]]));
    const again = await conversation(ip(100), 80);
    expect(await again.say('d')).toBe('d');
    expect(await viaClusterIP.say('d')).toBe('d');

    // Nothing left behind once they end.
    await waitFor(async () => (await openConnections(proxy)) === 6, { what: 'the probes closed, the three conversations open' });
    await Promise.all([viaClusterIP.end(), viaNodePort.end(), again.end()]);
    await waitFor(async () => (await openConnections(proxy)) === 0, { what: 'every spliced socket closed' });
  });

  it('moves an address from external IP to load-balancer IP in one sync: bound again at once, connections kept', async () => {
    const ip = await setUp();
    await echoServer(ip(11));
    const asExternalIP = service('web', { clusterIP: ip(100), ports: [{ port: 80 }] });
    asExternalIP.spec!.externalIPs = [ip(200)];
    lab.apply(asExternalIP);
    lab.apply(endpointSlice('web', [{ ip: ip(11) }], [{ port: 8080 }]));
    const proxy = await lab.kubeProxy('node-1', ip(2));
    await waitFor(() => canConnect(ip(200), 80), { what: 'the external IP served' });
    const established = await conversation(ip(200), 80);
    expect(await established.say('a')).toBe('a');

    lab.apply(service('web', { type: 'LoadBalancer', clusterIP: ip(100), loadBalancerIPs: [ip(200)], ports: [{ port: 80, nodePort: 30_000 + Math.floor(Math.random() * 2_000) }] }));
    const frontend = () => proxy.proxier.frontends().find((f) => f.address === ip(200));
    await waitFor(() => frontend()?.kind === 'LoadBalancer' && (frontend()!.listening || frontend()!.waiting), { what: 'the load-balancer IP bound' });
    expect(frontend()!.listening).toBe(true);
    const fresh = await conversation(ip(200), 80);
    expect(await fresh.say('b')).toBe('b');
    expect(await established.say('b')).toBe('b');
    await Promise.all([established.end(), fresh.end()]);
    await waitFor(async () => (await openConnections(proxy)) === 0, { what: 'every spliced socket closed' });
  });

  it('cuts the connections of a deleted Service when kube-proxy itself stops', async () => {
    const ip = await setUp();
    await echoServer(ip(11));
    const web = service('web', { clusterIP: ip(100), ports: [{ port: 80 }] });
    lab.apply(web);
    lab.apply(endpointSlice('web', [{ ip: ip(11) }], [{ port: 8080 }]));
    const proxy = await lab.kubeProxy('node-1', ip(2));
    await waitFor(() => canConnect(ip(100), 80), { what: 'the ClusterIP served' });
    const established = await conversation(ip(100), 80);
    lab.remove(web);
    await waitFor(() => proxy.proxier.frontends().length === 0, { what: 'the frontend gone' });
    expect(await established.say('a')).toBe('a');

    await proxy.close();
    expect(await established.closed).toMatch(/^(closed|ECONNRESET)$/);
  });

  it('keeps no socket of a client that hangs up while its endpoint is being connected', async () => {
    const ip = await setUp();
    // An endpoint that only closes once it is told to (half-close), as an echo server does.
    await echoServer(ip(11));
    lab.apply(service('echo', { clusterIP: ip(100), ports: [{ port: 80 }] }));
    lab.apply(endpointSlice('echo', [{ ip: ip(11) }], [{ port: 8080 }]));
    const proxy = await lab.kubeProxy('node-1', ip(2));
    await waitFor(() => canConnect(ip(100), 80), { what: 'the ClusterIP served' });
    // Connect and close at once, as a load balancer's TCP health check does.
    for (let i = 0; i < 5; i++) expect(await canConnect(ip(100), 80)).toBe(true);
    await waitFor(async () => (await openConnections(proxy)) === 0, { what: 'every spliced socket closed' });
  });

  it('resets a client still uploading when the endpoint sends its FIN then a reset, and keeps no socket', async () => {
    const ip = await setUp();
    // Reads nothing (the upload backs up to the client), then says bye, closes and resets.
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      socket.pause();
      socket.on('error', () => {});
      setTimeout(() => {
        socket.end('bye');
        socket.once('finish', () => socket.resetAndDestroy());
      }, 300);
    });
    await new Promise<void>((resolve) => server.listen(8080, ip(11), resolve));
    lab.defer(() => new Promise((resolve) => server.close(() => resolve())));
    lab.apply(service('upload', { clusterIP: ip(100), ports: [{ port: 80 }] }));
    lab.apply(endpointSlice('upload', [{ ip: ip(11) }], [{ port: 8080 }]));
    const proxy = await lab.kubeProxy('node-1', ip(2));
    await waitFor(() => canConnect(ip(100), 80), { what: 'the ClusterIP served' });
    await waitFor(async () => (await openConnections(proxy)) === 0, { what: 'the probes closed' });

    const result = await new Promise<{ received: string; end: string }>((resolve) => {
      const socket = net.connect({ host: ip(100), port: 80 });
      const chunk = Buffer.alloc(64 * 1024);
      const upload = () => {
        while (socket.writable && socket.write(chunk));
      };
      let received = '';
      let error: string | undefined;
      socket.setEncoding('utf8');
      socket.on('connect', upload);
      socket.on('drain', upload);
      socket.on('data', (data: string) => (received += data));
      socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code));
      const hung = setTimeout(() => (socket.destroy(), resolve({ received, end: 'hung' })), 5_000);
      socket.on('close', () => (clearTimeout(hung), resolve({ received, end: error ?? 'closed' })));
    });
    expect(result.received).toBe('bye');
    expect(result.end).toMatch(/^(ECONNRESET|EPIPE)$/);
    await waitFor(async () => (await openConnections(proxy)) === 0, { what: 'every spliced socket closed' });
  });

  it('closes on a client that goes on sending after the endpoint sent its FIN then a reset: its next data is reset', async () => {
    const ip = await setUp();
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      socket.on('error', () => {});
      socket.end('bye');
      socket.once('finish', () => socket.resetAndDestroy());
    });
    await new Promise<void>((resolve) => server.listen(8080, ip(11), resolve));
    lab.defer(() => new Promise((resolve) => server.close(() => resolve())));
    lab.apply(service('bye', { clusterIP: ip(100), ports: [{ port: 80 }] }));
    lab.apply(endpointSlice('bye', [{ ip: ip(11) }], [{ port: 8080 }]));
    const proxy = await lab.kubeProxy('node-1', ip(2));
    await waitFor(async () => (await connectResult(ip(100), 80)) === 'ok', { what: 'the ClusterIP served' });
    await waitFor(async () => (await openConnections(proxy)) === 0, { what: 'the probes closed' });

    // A client that does not half-close on the FIN and goes on sending, as a pipelining client would.
    const end = await new Promise<string>((resolve) => {
      const socket = net.connect({ host: ip(100), port: 80, allowHalfOpen: true });
      let error: string | undefined;
      socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code));
      socket.resume();
      const sending = setInterval(() => socket.writable && socket.write('more'), 100);
      const hung = setTimeout(() => (socket.destroy(), resolve('hung')), 5_000);
      socket.on('close', () => (clearInterval(sending), clearTimeout(hung), resolve(error ?? 'closed')));
    });
    expect(end).toMatch(/^(ECONNRESET|EPIPE)$/);
    await waitFor(async () => (await openConnections(proxy)) === 0, { what: 'every spliced socket closed' });
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
