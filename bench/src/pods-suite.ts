import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { kubectl, startCluster, type Cluster } from '@kubelab/testkit';
import { withDeadline } from './deadline';
import { LatencyRecorder } from './latency';
import { describeMachine } from './machine';
import { cpuSeconds, rssBytes } from './proc';
import { fixed, table, writeSection } from './report';

/**
 * `npm run bench -- pods`: a real lab (`kubelab up`, three schedulable nodes, each with a kubelet
 * and a kube-proxy), then
 * - pod startup latency: a Deployment of N hello-server replicas, each pod timed from the moment a
 *   watch sees it created to the moment the watch sees it Ready (as Kubernetes' pod startup SLI);
 * - kube-proxy: `ab` against one pod directly and through a NodePort to that same pod, same load;
 * - the kubelets' resident memory, idle (before any pod) and with the pods running.
 */
export interface PodsBenchOptions {
  replicas: number;
  requests: number;
  concurrency: number;
}

export const PODS_DEFAULTS: PodsBenchOptions = { replicas: 100, requests: 5_000, concurrency: 16 };

const THREE_NODES = { kind: 'Cluster', apiVersion: 'kind.x-k8s.io/v1alpha4', nodes: [{ role: 'control-plane' }, { role: 'worker' }, { role: 'worker' }] };

export async function runPodsBench(options: PodsBenchOptions, out: string): Promise<string> {
  const cluster = await startCluster({ config: THREE_NODES, profile: 'default' });
  try {
    const k = (...args: string[]) => {
      const r = kubectl(cluster.kubeconfig, args);
      if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    // Three schedulable nodes: the control plane takes pods too.
    k('taint', 'node', `${cluster.nodes[0]!.name}`, 'node-role.kubernetes.io/control-plane:NoSchedule-');
    const kubeletPids = kubeletProcesses(cluster);
    const idleRss = kubeletPids.map((p) => rssBytes(p.pid));

    const processes = labProcesses(cluster);
    const cpuBefore = processes.map((p) => cpuSeconds(p.pid));
    const watch = new ReadyWatch(cluster.apiserverUrl, 'app=startup');
    await watch.started;
    k('create', 'deployment', 'startup', '--image=blux2/hello-server:1.8', `--replicas=${options.replicas}`);
    const first = Date.now();
    await withDeadline(watch.allReady(options.replicas), 300_000, `${options.replicas} pods Ready`);
    const wall = Date.now() - first;
    watch.close();
    const busyRss = kubeletPids.map((p) => rssBytes(p.pid));
    // Where the CPU of the start-up went, per kind of process (the containers' own start is ~5 ms each).
    const cpuByKind = new Map<string, number>();
    processes.forEach((p, i) => {
      const kind = p.name.replace(/-kubelab-.*$/, '');
      cpuByKind.set(kind, (cpuByKind.get(kind) ?? 0) + cpuSeconds(p.pid) - cpuBefore[i]!);
    });

    // One pod behind a NodePort, so that direct and proxied traffic reach the same process.
    k('create', 'deployment', 'target', '--image=blux2/hello-server:1.8');
    k('expose', 'deployment', 'target', '--type=NodePort', '--port=8080');
    k('wait', '--for=condition=Available', 'deployment/target', '--timeout=60s');
    const podIP = k('get', 'pods', '-l', 'app=target', '-o', 'jsonpath={.items[0].status.podIP}');
    const nodePort = k('get', 'service', 'target', '-o', 'jsonpath={.spec.ports[0].nodePort}');
    const nodeIP = cluster.nodes[1]!.ip;
    const proxyMode = /"proxyMode":"(\w+)"/.exec(cluster.logs(`kube-proxy-${cluster.nodes[1]!.name}`))?.[1] ?? 'unknown';
    await withDeadline(waitForEndpoints(k), 30_000, 'the target endpoint');
    const direct = ab(`http://${podIP}:8080/`, options);
    const proxied = ab(`http://${nodeIP}:${nodePort}/`, options);
    const directKeepAlive = ab(`http://${podIP}:8080/`, options, true);
    const proxiedKeepAlive = ab(`http://${nodeIP}:${nodePort}/`, options, true);

    const p50 = watch.latency.percentile(0.5);
    const p99 = watch.latency.percentile(0.99);
    const ratio = proxied.rps / direct.rps;
    const maxIdle = Math.max(...idleRss);
    const mb = (b: number) => fixed(b / 1024 / 1024, 1);
    const markdown = [
      '## Pods: startup latency, kube-proxy throughput, kubelet memory (`npm run bench -- pods`)',
      '',
      `Machine: ${describeMachine()}. A lab from \`kubelab up\` (default profile) with three schedulable nodes, each a kubelet and a kube-proxy.`,
      '',
      table(
        ['what', 'measured', 'goal'],
        [
          [`pod startup, create → Ready (watch), ${options.replicas} hello-server replicas: p50`, `${fixed(p50, 0)} ms`, `< 500 ms: ${p50 < 500 ? 'met' : '**not met**'}`],
          ['pod startup p99', `${fixed(p99, 0)} ms`, `< 1500 ms: ${p99 < 1500 ? 'met' : '**not met**'} (Kubernetes' SLO: ≤ 5 s)`],
          [`all ${options.replicas} Ready, from the create`, `${fixed(wall / 1000, 1)} s`, ''],
          [`the ${options.replicas} pods created (ADDED seen), first → last`, `${fixed(watch.lastAdded - watch.firstAdded, 0)} ms`, 'the ReplicaSet controller\'s slow-start batches'],
          ['per stage p50 / p99: ADDED → bound (scheduler)', stage(watch.stages.bound), ''],
          ['per stage p50 / p99: bound → container running (kubelet)', stage(watch.stages.running), ''],
          ['per stage p50 / p99: running → Ready (kubelet status)', stage(watch.stages.ready), ''],
          [`\`ab -n ${options.requests} -c ${options.concurrency}\` direct to the pod`, `${fixed(direct.rps, 0)} req/s`, 'reference'],
          [`the same through the NodePort (kube-proxy, \`--proxy-mode\` ${proxyMode})`, `${fixed(proxied.rps, 0)} req/s (${fixed(ratio * 100, 0)}%)`, `≥ 50%: ${ratio >= 0.5 ? 'met' : '**not met**'}`],
          ['with keep-alive (`ab -k`): direct / NodePort', `${fixed(directKeepAlive.rps, 0)} / ${fixed(proxiedKeepAlive.rps, 0)} req/s (${fixed((proxiedKeepAlive.rps / directKeepAlive.rps) * 100, 0)}%)`, ''],
          ['kubelet RSS, idle (max of 3)', `${mb(maxIdle)} MB`, `< 70 MB: ${maxIdle < 70 * 1024 * 1024 ? 'met' : '**not met**'}`],
          [`kubelet RSS with ${options.replicas} pods running (per kubelet)`, busyRss.map(mb).join(' / ') + ' MB', ''],
        ],
      ),
      '',
      `Failed requests: direct ${direct.failed}, NodePort ${proxied.failed}.`,
      '',
      `CPU seconds spent by the lab's processes while the ${options.replicas} pods started (${fixed(wall / 1000, 1)} s of wall time, 2 cores): ${[...cpuByKind].sort((a, b) => b[1] - a[1]).map(([kind, s]) => `${kind} ${fixed(s, 2)}`).join(', ')}.`,
    ].join('\n');
    writeSection(out, 'pods', markdown);
    return markdown;
  } finally {
    await cluster.down();
  }
}

function stage(recorder: LatencyRecorder): string {
  return `${fixed(recorder.percentile(0.5), 0)} / ${fixed(recorder.percentile(0.99), 0)} ms`;
}

function labProcesses(cluster: Cluster): Array<{ name: string; pid: number }> {
  const state = JSON.parse(fs.readFileSync(path.join(cluster.dir, 'lab.json'), 'utf8')) as { processes: Array<{ name: string; pid: number }> };
  return state.processes;
}

function kubeletProcesses(cluster: Cluster): Array<{ name: string; pid: number }> {
  return labProcesses(cluster).filter((p) => p.name.startsWith('kubelet-'));
}

async function waitForEndpoints(k: (...args: string[]) => string): Promise<void> {
  for (;;) {
    if (k('get', 'endpoints', 'target', '-o', 'jsonpath={.subsets[*].addresses[*].ip}').trim()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

function ab(url: string, options: PodsBenchOptions, keepAlive = false): { rps: number; failed: number } {
  const args = ['-q', '-n', String(options.requests), '-c', String(options.concurrency), ...(keepAlive ? ['-k'] : []), url];
  const r = spawnSync('ab', args, { encoding: 'utf8', timeout: 120_000 });
  const rps = Number(/Requests per second:\s+([\d.]+)/.exec(r.stdout ?? '')?.[1]);
  const failed = Number(/Failed requests:\s+(\d+)/.exec(r.stdout ?? '')?.[1] ?? NaN);
  if (!Number.isFinite(rps)) throw new Error(`ab ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
  return { rps, failed };
}

interface PodLike {
  metadata: { uid: string };
  spec?: { nodeName?: string };
  status?: { conditions?: Array<{ type: string; status: string }>; containerStatuses?: Array<{ state?: { running?: unknown } }> };
}

/** A REST watch on pods that times each from its ADDED event to the event that shows it Ready. */
class ReadyWatch {
  readonly latency = new LatencyRecorder();
  readonly started: Promise<void>;
  private readonly seen = new Map<string, number>();
  private readonly ready = new Set<string>();
  private waiters: Array<() => void> = [];
  private req: http.ClientRequest | undefined;

  constructor(apiserverUrl: string, selector: string) {
    this.started = new Promise((resolve, reject) => {
      this.req = http.get(`${apiserverUrl}/api/v1/namespaces/default/pods?watch=1&labelSelector=${encodeURIComponent(selector)}`, (res) => {
        resolve();
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let nl: number;
          while ((nl = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, nl);
            buffer = buffer.slice(nl + 1);
            if (line.trim()) this.onEvent(JSON.parse(line) as { type: string; object: PodLike });
          }
        });
      });
      this.req.on('error', reject);
    });
  }

  /** Per stage: ADDED → bound (scheduler), bound → a container running (kubelet), running → Ready. */
  readonly stages = { bound: new LatencyRecorder(), running: new LatencyRecorder(), ready: new LatencyRecorder() };
  private readonly boundAt = new Map<string, number>();
  private readonly runningAt = new Map<string, number>();
  firstAdded = 0;
  lastAdded = 0;

  private onEvent(event: { type: string; object: PodLike }): void {
    const now = Date.now();
    const uid = event.object.metadata.uid;
    if (!this.seen.has(uid)) {
      this.seen.set(uid, now);
      if (!this.firstAdded) this.firstAdded = now;
      this.lastAdded = now;
    }
    if (event.object.spec?.nodeName && !this.boundAt.has(uid)) {
      this.boundAt.set(uid, now);
      this.stages.bound.record(now - this.seen.get(uid)!);
    }
    if (event.object.status?.containerStatuses?.some((c) => c.state?.running) && !this.runningAt.has(uid) && this.boundAt.has(uid)) {
      this.runningAt.set(uid, now);
      this.stages.running.record(now - this.boundAt.get(uid)!);
    }
    const isReady = event.object.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    if (isReady && !this.ready.has(uid)) {
      this.ready.add(uid);
      this.latency.record(now - this.seen.get(uid)!);
      if (this.runningAt.has(uid)) this.stages.ready.record(now - this.runningAt.get(uid)!);
      for (const w of this.waiters) w();
    }
  }

  allReady(count: number): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.ready.size >= count) resolve();
      };
      this.waiters.push(check);
      check();
    });
  }

  close(): void {
    this.req?.destroy();
  }
}
