import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { freePort, kubectl, kubectlAsync, startCluster, type Cluster } from '@kubelab/testkit';
import { httpGet, tryGet } from './http';
import { kubectlSession, labProcess, scenarioManifest, table } from './scenario';

const NGINX_TITLE = '<title>Welcome to nginx!</title>';
const HELLO = "Hello, world! Let's learn Kubernetes!";
/** The node the client and the hello-server pods run on, and whose kubelet is restarted. */
const NODE = 'kubelab-worker2';

/**
 * Two hello-server pods on one node, both on port 8080; p4app pods behind a plain, a sticky
 * (sessionAffinity: ClientIP) and a headless Service, with a readiness probe a person can turn
 * off from inside the container (`touch unready`).
 */
const MANIFESTS = `
${['hello-a', 'hello-b']
  .map(
    (name) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels:
    app: hello
spec:
  nodeSelector:
    kubernetes.io/hostname: ${NODE}
  containers:
    - name: hello-server
      image: blux2/hello-server:1.8
      ports:
        - containerPort: 8080
---
`,
  )
  .join('')}apiVersion: apps/v1
kind: Deployment
metadata:
  name: p4
spec:
  replicas: 2
  selector:
    matchLabels:
      app: p4
  template:
    metadata:
      labels:
        app: p4
    spec:
      containers:
        - name: p4app
          image: kurokobo/p4app:0.0.1
          ports:
            - containerPort: 8080
          readinessProbe:
            exec:
              command: [sh, -c, 'test ! -e unready']
            periodSeconds: 1
            failureThreshold: 1
---
apiVersion: v1
kind: Service
metadata:
  name: p4
spec:
  selector:
    app: p4
  ports:
    - port: 80
      targetPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: p4-sticky
spec:
  sessionAffinity: ClientIP
  selector:
    app: p4
  ports:
    - port: 80
      targetPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web-lb
spec:
  type: LoadBalancer
  selector:
    app: web
  ports:
    - port: 80
---
apiVersion: v1
kind: Service
metadata:
  name: p4-headless
spec:
  clusterIP: None
  selector:
    app: p4
  ports:
    - port: 8080
`;

/**
 * Issue 5's pod network on a real lab with the real kubectl: traffic and DNS from inside a pod
 * (busybox's own wget and nslookup), NodePorts on every node's IP and a kind extraPortMappings
 * host port, two pods on one port, session affinity, readiness taking a pod out of the traffic,
 * logs / exec / port-forward / run --rm, and a kubelet killed and restarted under running pods.
 */
describe('pod network: Services, DNS, NodePorts and host ports, streams, kubelet restart', { timeout: 120_000 }, () => {
  let cluster: Cluster;
  let hostPort = 0;
  const { k, ok, apply } = kubectlSession(() => cluster.kubeconfig);
  const rows = (...args: string[]) => table(k(...args).stdout).filter((r) => r[0]);
  const jsonpath = (kind: string, name: string, expr: string) => ok('get', kind, name, '-o', `jsonpath=${expr}`);
  const podIP = (name: string) => jsonpath('pod', name, '{.status.podIP}');
  /** Runs a shell line in the client pod (busybox), as `kubectl exec client -- sh -c '...'`. */
  const inClient = (script: string) => k('exec', 'client', '--', 'sh', '-c', script);
  /** Who answered each of n requests through a Service, from inside the client pod. */
  const servedBy = (url: string, n: number) => {
    const r = inClient(`for i in $(seq ${n}); do wget -qO- ${url} | grep -o 'Served by: [^<]*'; done`);
    return r.stdout.trim().split('\n').filter(Boolean).map((l) => l.replace('Served by: ', ''));
  };
  const streams = new Set<ChildProcess>();
  /** A long-running kubectl (logs -f, port-forward) whose output is read while it runs. */
  const kubectlStream = (...args: string[]) => {
    const child = spawn('kubectl', args, { env: { ...process.env, KUBECONFIG: cluster.kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] });
    streams.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const stop = () =>
      new Promise<void>((resolve) => {
        streams.delete(child);
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('close', () => resolve());
        child.kill('SIGTERM');
      });
    return { stdout: () => stdout, stderr: () => stderr, stop };
  };

  beforeAll(async () => {
    hostPort = await freePort();
    cluster = await startCluster({
      config: {
        kind: 'Cluster',
        apiVersion: 'kind.x-k8s.io/v1alpha4',
        nodes: [{ role: 'control-plane' }, { role: 'worker', extraPortMappings: [{ containerPort: 30001, hostPort }] }, { role: 'worker' }],
      },
    });
    apply(fs.readFileSync(scenarioManifest('web-nodeport.yaml'), 'utf8'));
    apply(MANIFESTS);
    ok('run', 'client', '--image=busybox:1.36.1', `--overrides={"apiVersion":"v1","spec":{"nodeSelector":{"kubernetes.io/hostname":"${NODE}"}}}`, '--', 'sleep', '3600');
    await waitFor(
      () => {
        const pods = rows('get', 'pods', '--no-headers');
        return pods.length === 6 && pods.every((p) => p[1] === '1/1' && p[2] === 'Running');
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'six pods 1/1 Running' },
    );
  }, 150_000);
  afterAll(async () => {
    for (const child of streams) child.kill('SIGKILL');
    await cluster?.down();
  });

  it('from a pod: wget reaches Service web by ClusterIP, web, web.default and web.default.svc.cluster.local; nslookup web shows the ClusterIP', async () => {
    const svc = rows('get', 'service', 'web');
    expect(svc[0]).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    const clusterIP = svc[1]![2]!;
    expect(svc[1]!.slice(0, 5)).toEqual(['web', 'NodePort', clusterIP, '<none>', '80:30001/TCP']);
    expect(clusterIP).toMatch(/^127\.\d+\.96\.\d+$/);
    await waitFor(() => inClient(`wget -qO- http://${clusterIP}/`).stdout.includes(NGINX_TITLE), { timeoutMs: 30_000, intervalMs: 250, what: 'web through its ClusterIP from the client pod' });
    for (const host of ['web', 'web.default', 'web.default.svc.cluster.local']) {
      const r = k('exec', 'client', '--', 'wget', '-qO-', `http://${host}`);
      expect(r.stderr, `wget http://${host}`).toBe('');
      expect(r.stdout, `wget http://${host}`).toContain(NGINX_TITLE);
    }
    // busybox's nslookup also asks the other search domains (and says NXDOMAIN for them), as on any cluster.
    const lookup = k('exec', 'client', '--', 'nslookup', 'web').stdout;
    expect(lookup).toContain(`Server:\t\t${cluster.network.clusterDNS}`);
    expect(lookup).toMatch(new RegExp(`Name:\\s+web\\.default\\.svc\\.cluster\\.local\\s+Address:\\s+${clusterIP.replace(/\./g, '\\.')}\\s`));
  });

  it('a headless Service (clusterIP: None) resolves to the pod IPs', () => {
    const svc = rows('get', 'service', 'p4-headless', '--no-headers')[0]!;
    expect(svc.slice(0, 5)).toEqual(['p4-headless', 'ClusterIP', 'None', '<none>', '8080/TCP']);
    const ips = rows('get', 'pods', '-l', 'app=p4', '-o', 'wide', '--no-headers').map((r) => r[5]!).sort();
    expect(ips).toHaveLength(2);
    const lookup = k('exec', 'client', '--', 'nslookup', 'p4-headless').stdout;
    const answered = [...lookup.matchAll(/Name:\s+p4-headless\.default\.svc\.cluster\.local\s+Address:\s+(\S+)/g)].map((m) => m[1]!).sort();
    expect(answered).toEqual(ips);
  });

  it("NodePort 30001 answers on every node's IP, from the host and from a pod, and the worker's extraPortMappings host port reaches it", async () => {
    expect(cluster.nodes.map((n) => n.name)).toEqual(['kubelab-control-plane', 'kubelab-worker', NODE]);
    for (const node of cluster.nodes) {
      const body = await waitFor(() => tryGet(`http://${node.ip}:30001/`), { timeoutMs: 30_000, what: `NodePort on ${node.name} (${node.ip})` });
      expect(body, node.name).toContain(NGINX_TITLE);
      expect(inClient(`wget -qO- http://${node.ip}:30001/`).stdout, `from the client pod to ${node.name}`).toContain(NGINX_TITLE);
    }
    const page = await waitFor(() => tryGet(`http://${cluster.network.hostIP}:${hostPort}/`), { timeoutMs: 30_000, what: `host port ${cluster.network.hostIP}:${hostPort}` });
    expect(page).toContain(NGINX_TITLE);
  });

  it('a LoadBalancer Service answers on its EXTERNAL-IP from the host and from a pod', async () => {
    const externalIP = await waitFor(() => /^127\./.test(rows('get', 'service', 'web-lb')[1]?.[3] ?? '') && rows('get', 'service', 'web-lb')[1]![3], { timeoutMs: 30_000, what: 'an EXTERNAL-IP for web-lb' });
    expect(rows('get', 'service', 'web-lb', '--no-headers')[0]!.slice(0, 5)).toEqual(['web-lb', 'LoadBalancer', expect.stringMatching(/^127\./), externalIP, expect.stringMatching(/^80:3\d{4}\/TCP$/)]);
    expect(await waitFor(() => tryGet(`http://${externalIP}/`), { timeoutMs: 30_000, what: `GET http://${externalIP}/` })).toContain(NGINX_TITLE);
    expect(inClient(`wget -qO- http://${externalIP}/`).stdout).toContain(NGINX_TITLE);
  });

  it('two pods on one node both listen on 8080, each answering on its own pod IP', async () => {
    const wide = rows('get', 'pods', '-l', 'app=hello', '-o', 'wide', '--no-headers');
    expect(wide.map((r) => [r[0], r[2], r[6]])).toEqual([
      ['hello-a', 'Running', NODE],
      ['hello-b', 'Running', NODE],
    ]);
    const [a, b] = [wide[0]![5]!, wide[1]![5]!];
    expect(a).not.toBe(b);
    const podCIDR = cluster.nodes.find((n) => n.name === NODE)!.podCIDR;
    expect(a.split('.').slice(0, 3).join('.')).toBe(podCIDR.split('.').slice(0, 3).join('.'));
    expect(await httpGet(`http://${a}:8080/`)).toEqual({ status: 200, body: HELLO });
    expect(await httpGet(`http://${b}:8080/`)).toEqual({ status: 200, body: HELLO });
    expect((await httpGet(`http://${a}:8080/only-a`)).status).toBe(404);
    expect(inClient(`wget -qO- http://${b}:8080/only-b`).stderr).toContain('404 Not Found');
    await waitFor(() => ok('logs', 'hello-a').includes('url:/only-a') && ok('logs', 'hello-b').includes('url:/only-b'), { timeoutMs: 5_000, what: 'each request in its own pod\'s log' });
    expect(ok('logs', 'hello-a')).not.toContain('/only-b');
    expect(ok('logs', 'hello-b')).not.toContain('/only-a');
  });

  it('sessionAffinity: ClientIP keeps one client on one pod; without it both pods answer', () => {
    const names = rows('get', 'pods', '-l', 'app=p4', '--no-headers').map((r) => r[0]!).sort();
    expect(ok('get', 'service', 'p4-sticky', '-o', 'jsonpath={.spec.sessionAffinity}')).toBe('ClientIP');
    expect(ok('get', 'service', 'p4', '-o', 'jsonpath={.spec.sessionAffinity}')).toBe('None');
    const spread = servedBy('http://p4', 8);
    expect(spread).toHaveLength(8);
    expect([...new Set(spread)].sort()).toEqual(names);
    const sticky = servedBy('http://p4-sticky', 8);
    expect(sticky).toHaveLength(8);
    expect(new Set(sticky).size).toBe(1);
    expect(names).toContain(sticky[0]);
  });

  it('a pod whose readiness fails gets no requests through the ClusterIP, and gets them again once Ready', async () => {
    const [out, stays] = rows('get', 'pods', '-l', 'app=p4', '--no-headers').map((r) => r[0]!);
    ok('exec', out!, '--', 'touch', 'unready');
    await waitFor(() => rows('get', 'pod', out!, '--no-headers')[0]?.[1] === '0/1', { timeoutMs: 30_000, what: `${out} READY 0/1` });
    expect(rows('get', 'pod', out!, '--no-headers')[0]!.slice(1, 4)).toEqual(['0/1', 'Running', '0']);
    const ip = podIP(out!);
    await waitFor(() => !jsonpath('endpoints', 'p4', '{.subsets[*].addresses[*].ip}').split(' ').includes(ip), { timeoutMs: 30_000, what: `${out} out of the endpoints of p4` });
    // kube-proxy follows the EndpointSlice a moment later: two requests in a row both land on the ready pod only once it has.
    await waitFor(() => isDeepStrictEqual(servedBy('http://p4', 2), [stays, stays]), { timeoutMs: 30_000, intervalMs: 250, what: `kube-proxy sending p4's traffic to ${stays} only` });
    expect(servedBy('http://p4', 8)).toEqual(Array(8).fill(stays));
    ok('exec', out!, '--', 'rm', 'unready');
    await waitFor(() => rows('get', 'pod', out!, '--no-headers')[0]?.[1] === '1/1', { timeoutMs: 30_000, what: `${out} READY 1/1 again` });
    await waitFor(() => new Set(servedBy('http://p4', 4)).size === 2, { timeoutMs: 30_000, intervalMs: 250, what: 'both pods answering again' });
  });

  it('kubectl logs deploy/web and logs -f follow nginx; exec -i passes stdin, exec -it gives a terminal; port-forward reaches the pod; run --rm -i prints and deletes', async () => {
    const logs = k('logs', 'deploy/web');
    expect(logs.stderr).toBe('');
    expect(logs.stdout).toMatch(/"GET \/ HTTP\/1\.1" 200 615 "-" "Wget"/);

    const follow = kubectlStream('logs', '-f', 'deploy/web', '--tail=1');
    const marker = `/follow-${Date.now()}`;
    await waitFor(() => follow.stdout().length > 0, { timeoutMs: 30_000, what: 'the last line of the log' });
    await waitFor(
      async () => {
        await httpGet(`http://${cluster.nodes[1]!.ip}:30001${marker}`);
        return follow.stdout().includes(`"GET ${marker} HTTP/1.1" 404`);
      },
      { timeoutMs: 30_000, intervalMs: 500, what: 'a new request in logs -f' },
    );
    await follow.stop();

    const echoed = kubectl(cluster.kubeconfig, ['exec', '-i', 'client', '--', 'sh', '-c', 'cat'], { input: 'line one\nline two\n' });
    expect(echoed).toEqual({ status: 0, stdout: 'line one\nline two\n', stderr: '' });
    // A command the container does not have fails once the streams are up, wrapped by the kubelet and the apiserver's translator.
    const missing = k('exec', 'client', '--', 'nosuchcmd');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(
      /^error: Internal error occurred: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start container process: exec: "nosuchcmd": executable file not found in \$PATH: unknown\n$/,
    );

    // exec -it needs a terminal: util-linux script gives kubectl one; what is typed goes to an interactive sh.
    const typed = spawnSync('script', ['-qec', 'kubectl exec -it client -- sh', '/dev/null'], {
      env: { ...process.env, KUBECONFIG: cluster.kubeconfig },
      input: 'echo typed-$((6*7)); tty\nexit 3\n',
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(typed.stdout).toContain('BusyBox v1.');
    expect(typed.stdout).toMatch(/\r\ntyped-42\r\n\/dev\/pts\/\d+\r\n/);
    expect(typed.stdout).toContain('command terminated with exit code 3');
    expect(typed.status).toBe(3);

    const web = rows('get', 'pods', '-l', 'app=web', '--no-headers')[0]![0]!;
    const forward = kubectlStream('port-forward', `pod/${web}`, ':80');
    const local = await waitFor(() => /Forwarding from 127\.0\.0\.1:(\d+) -> 80/.exec(forward.stdout())?.[1], { timeoutMs: 30_000, what: 'port-forward listening' });
    const page = await httpGet(`http://127.0.0.1:${local}/`);
    expect(page.status).toBe(200);
    expect(page.body).toContain(NGINX_TITLE);
    expect(forward.stdout()).toContain('Handling connection for');
    await forward.stop();

    const once = await kubectlAsync(cluster.kubeconfig, ['run', '--rm', '-i', '--restart=Never', 'once', '--image=busybox:1.36.1', '--', 'echo', 'hello'], { timeoutMs: 60_000 });
    expect(once.status, once.stderr).toBe(0);
    expect(once.stdout).toMatch(/^hello\n(.*\n)?pod "once" deleted/);
    await waitFor(() => k('get', 'pod', 'once').stderr.includes('NotFound'), { timeoutMs: 20_000, what: 'pod once gone' });
  });

  it('a kubelet killed and started again adopts its running pods (same containers, 0 restarts, still serving, logs go on), stops a pod deleted while it was down and starts one bound meanwhile', async () => {
    const { entry: kubelet, startAgain } = labProcess(cluster.dir, `kubelet-${NODE}`);
    // Every pod of the node but the ones deleted and created while the kubelet is away: its container ID and restart count.
    const onNode = () => rows('get', 'pods', '--field-selector', `spec.nodeName=${NODE}`, '--no-headers').map((r) => r[0]!).filter((p) => p !== 'hello-b' && p !== 'late');
    const kept = onNode();
    expect(kept).toEqual(expect.arrayContaining(['client', 'hello-a']));
    const containers = () => Object.fromEntries(kept.map((p) => [p, jsonpath('pod', p, '{.status.containerStatuses[0].containerID} {.status.containerStatuses[0].restartCount}')]));
    const before = containers();
    for (const v of Object.values(before)) expect(v).toMatch(/^kubelab:\/\/[0-9a-f]{64} 0$/);
    const [ipA, ipB] = [podIP('hello-a'), podIP('hello-b')];

    process.kill(kubelet.pid, 'SIGKILL');
    await waitFor(() => !alive(kubelet.pid), { timeoutMs: 5_000, what: 'the kubelet to die' });
    expect(await tryGet(kubelet.healthUrl)).toBeUndefined();
    expect(ok('delete', 'pod', 'hello-b', '--wait=false')).toBe('pod "hello-b" deleted\n');
    expect(rows('get', 'pod', 'hello-b', '--no-headers')[0]!.slice(0, 3)).toEqual(['hello-b', '1/1', 'Terminating']);
    // Nobody stops its process while the node's kubelet is away: it still answers.
    expect(await tryGet(`http://${ipB}:8080/`)).toBe(HELLO);
    // A pod bound to the node meanwhile waits for its kubelet.
    ok('run', 'late', '--image=busybox:1.36.1', `--overrides={"apiVersion":"v1","spec":{"nodeSelector":{"kubernetes.io/hostname":"${NODE}"}}}`, '--', 'sleep', '3600');
    await waitFor(() => rows('get', 'pod', 'late', '-o', 'wide', '--no-headers')[0]?.[6] === NODE, { timeoutMs: 5_000, what: `late bound to ${NODE}` });
    expect(rows('get', 'pod', 'late', '-o', 'wide', '--no-headers')[0]!.slice(1, 7)).toEqual(['0/1', 'Pending', '0', expect.any(String), '<none>', NODE]);

    // Recorded in lab.json as a supervisor would, so that `kubelab down` stops the new one.
    startAgain();
    await waitFor(() => tryGet(kubelet.healthUrl), { timeoutMs: 20_000, what: 'the new kubelet healthy' });

    await waitFor(() => k('get', 'pod', 'hello-b').stderr.includes('NotFound'), { timeoutMs: 20_000, intervalMs: 250, what: 'hello-b gone' });
    expect(await tryGet(`http://${ipB}:8080/`)).toBeUndefined();
    await waitFor(() => rows('get', 'pod', 'late', '--no-headers')[0]?.[2] === 'Running', { timeoutMs: 30_000, what: 'late Running' });
    expect(rows('get', 'pod', 'late', '--no-headers')[0]!.slice(1, 4)).toEqual(['1/1', 'Running', '0']);
    expect(containers()).toEqual(before);
    expect(onNode()).toEqual(kept);
    await waitFor(() => isDeepStrictEqual(rows('get', 'pods', ...kept, '--no-headers').map((r) => r.slice(1, 4)), kept.map(() => ['1/1', 'Running', '0'])), {
      timeoutMs: 30_000,
      what: `every pod on ${NODE} 1/1 Running with 0 restarts`,
    });
    expect(await httpGet(`http://${ipA}:8080/`)).toEqual({ status: 200, body: HELLO });
    // The new kubelet carries on with the old containers' logs: the earlier lines and the new one.
    expect((await httpGet(`http://${ipA}:8080/after-restart`)).status).toBe(404);
    await waitFor(() => ok('logs', 'hello-a').includes('url:/after-restart'), { timeoutMs: 5_000, what: 'the new request in the logs of hello-a' });
    expect(ok('logs', 'hello-a')).toContain('url:/only-a');
    expect(inClient(`wget -qO- http://${ipA}:8080/`).stdout).toBe(HELLO);
    expect(rows('get', 'node', NODE, '--no-headers')[0]![1]).toBe('Ready');
  });

  it('kubelab down stops every process of the lab, the restarted kubelet and the pods included', async () => {
    const roots = pgrep(cluster.dir);
    expect(roots.length).toBeGreaterThan(0);
    const all = withDescendants(roots);
    // Every serving pod's own address (web on 80, the others on 8080), and the NodePort.
    const served = rows('get', 'pods', '-l', 'app in (web,p4,hello)', '-o', 'wide', '--no-headers').map((r) => `${r[5]}:${r[0]!.startsWith('web-') ? 80 : 8080}`);
    expect(served).toHaveLength(4);
    for (const address of served) expect(await tryGet(`http://${address}/`), address).toBeDefined();
    await cluster.down();
    expect(pgrep(cluster.dir)).toEqual([]);
    expect(all.filter(alive)).toEqual([]);
    for (const address of [...served, `${cluster.nodes[1]!.ip}:30001`]) expect(await tryGet(`http://${address}/`), address).toBeUndefined();
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** The pids whose command line mentions text (pgrep -f), this test's own process aside. */
function pgrep(text: string): number[] {
  const r = spawnSync('pgrep', ['-f', text], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).map(Number).filter((pid) => pid !== process.pid);
}

/** The pids and every descendant of them, from /proc. */
function withDescendants(roots: number[]): number[] {
  const parent = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  const out = new Set(roots);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (out.has(ppid) && !out.has(pid)) {
        out.add(pid);
        grew = true;
      }
    }
  }
  return [...out];
}
