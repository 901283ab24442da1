import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import * as net from 'node:net';
import { PassThrough, Writable, type Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, failureStatus, newBadRequest } from '@kubelab/apimachinery';
import { isConflict, ObjectsClient, Resources, type KubeObject } from '@kubelab/client';
import { createLogger, waitFor } from '@kubelab/component-base';
import { freePort, startKubelabApiserver, startKubelabStore, type ApiserverProcess, type ServerProcess } from '@kubelab/testkit';
import { failedSession } from '../pod-workers/pod-streams';
import type { LogOptions, StreamSession } from '../runtime/types';
import { startKubeletServer } from './kubelet-server';
import type { PodStreams } from './types';

/**
 * The real kubectl → the apiserver (the built `kubelab` binary) → this kubelet API server (in
 * this process) → real processes: logs, exec (WebSocket v5 and the SPDY fallback), exec -it in a
 * real terminal, attach through `kubectl run --rm -it`, and port-forward (SPDY in a WebSocket,
 * and plain SPDY) to a real TCP server on the pod's IP. And the errors a person sees when the
 * pod is missing, unscheduled, or its kubelet unreachable.
 */
const rand = (n: number) => Math.floor(Math.random() * n);
const X = 100 + rand(151);
const Y = rand(250);
const NODE_IP = `127.${X}.${Y}.2`;
const POD_IP = `127.${X}.${Y}.10`;
const DEAD_NODE_IP = `127.${X}.${Y}.3`;
const NODE = `streams-${X}-${Y}`;
const DEAD_NODE = `dead-${X}-${Y}`;


interface LogLine {
  time: Date;
  text: string;
}

/** RFC3339Nano as the kubelet stamps lines (`2024-05-01T10:00:00.123000000Z`). */
const rfc3339Nano = (time: Date) => time.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');

/** The kubelet's answer for a pod it does not run (its 404s: `pod "x" does not exist` for logs). */
const podDoesNotExist = (message: string) => new ApiError(failureStatus(404, 'NotFound', message));

/**
 * A container's stdin that takes `chunkBytes` per timer tick (a program that reads slowly), and
 * remembers the most the kubelet ever had waiting for it.
 */
class SlowReader extends Writable {
  read = 0;
  maxBuffered = 0;
  constructor(private readonly chunkBytes: number) {
    super({ highWaterMark: 64 * 1024 });
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.maxBuffered = Math.max(this.maxBuffered, this.writableLength);
    const take = (rest: number) => {
      this.read += Math.min(rest, this.chunkBytes);
      if (rest <= this.chunkBytes) return void setTimeout(callback, 1);
      setTimeout(() => take(rest - this.chunkBytes), 1);
    };
    take(chunk.length);
  }
}

/**
 * PodStreams backed by real processes: exec spawns the command, attach joins a pod's main
 * process, port-forward dials the pod's IP. Logs come from lines the test writes. Pods it has
 * no IP for are pods this kubelet does not run.
 */
class ProcessPodStreams implements PodStreams {
  readonly logLines = new Map<string, LogLine[]>();
  /** Logs whose reading fails after their lines, with this error. */
  readonly failingLogs = new Map<string, string>();
  /** exec `slow-reader`: its stdin. */
  readonly slowReaders: SlowReader[] = [];
  /** Log readers still open (a follow ends when the caller goes away). */
  openReaders = 0;
  private readonly logWaiters = new Set<() => void>();
  private readonly endedLogs = new Set<string>();
  readonly execs: Array<{ command: string[]; stdin: boolean; tty: boolean; sizes: Array<{ width: number; height: number }>; child: ChildProcess }> = [];
  readonly attaches: string[] = [];
  readonly mainProcesses = new Map<string, ChildProcess>();
  readonly podIPs = new Map<string, string>();
  readonly children = new Set<ChildProcess>();
  /** The kubelet's connections to pods' ports, as port-forward opened them. */
  readonly forwards: net.Socket[] = [];

  writeLog(key: string, text: string): void {
    const lines = this.logLines.get(key) ?? [];
    lines.push({ time: new Date(), text });
    this.logLines.set(key, lines);
    for (const wake of this.logWaiters) wake();
  }

  endLog(key: string): void {
    this.endedLogs.add(key);
    for (const wake of this.logWaiters) wake();
  }

  async logs(namespace: string, pod: string, container: string, options: LogOptions & { previous?: boolean }, signal: AbortSignal): Promise<AsyncIterable<Buffer>> {
    const key = `${namespace}/${pod}/${container}`;
    if (!this.podIPs.has(`${namespace}/${pod}`)) throw podDoesNotExist(`pod ${JSON.stringify(pod)} does not exist`);
    if (options.previous) throw new ApiError(newBadRequest(`previous terminated container "${container}" in pod "${pod}" not found`));
    if (!this.logLines.has(key)) throw new ApiError(newBadRequest(`container "${container}" in pod "${pod}" is waiting to start: ContainerCreating`));
    const format = (line: LogLine) => Buffer.from(`${options.timestamps ? `${rfc3339Nano(line.time)} ` : ''}${line.text}\n`);
    const waiters = this.logWaiters;
    const ended = this.endedLogs;
    const all = this.logLines.get(key)!;
    const failure = this.failingLogs.get(key);
    const self = this;
    return (async function* () {
      self.openReaders++;
      try {
        yield* read();
      } finally {
        self.openReaders--;
      }
    })();
    async function* read() {
      let next = options.tailLines !== undefined ? Math.max(0, all.length - options.tailLines) : 0;
      for (;;) {
        while (next < all.length) yield format(all[next++]!);
        if (failure) throw new Error(failure);
        if (!options.follow || ended.has(key) || signal.aborted) return;
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            resolve();
          };
          waiters.add(wake);
          signal.addEventListener('abort', wake, { once: true });
        });
      }
    }
  }

  async exec(namespace: string, pod: string, container: string, command: string[], options: { stdin: boolean; tty: boolean }): Promise<StreamSession> {
    if (!this.podIPs.has(`${namespace}/${pod}`)) throw podDoesNotExist('pod does not exist');
    if (container !== 'a' && container !== 'shell') throw new ApiError(newBadRequest(`container not found ("${container}")`));
    if (command[0] === 'slow-reader') return this.slowReader();
    const child = spawn(command[0]!, command.slice(1), { stdio: 'pipe' });
    // A command that cannot start fails as containerd's exec does, once the streams are up.
    const started = await new Promise<boolean>((resolve) => {
      child.once('spawn', () => resolve(true));
      child.once('error', () => resolve(false));
    });
    if (!started) {
      const execId = randomBytes(32).toString('hex');
      return failedSession(new Error(`failed to exec in container: failed to start exec "${execId}": OCI runtime exec failed: exec failed: unable to start container process: exec: "${command[0]}": executable file not found in $PATH: unknown`));
    }
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    const record = { command, stdin: options.stdin, tty: options.tty, sizes: [] as Array<{ width: number; height: number }>, child };
    this.execs.push(record);
    if (!options.stdin) child.stdin!.end();
    const exit = new Promise<number>((resolve) => {
      child.on('error', () => resolve(127));
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + 9 : 1)));
    });
    return {
      stdin: options.stdin ? child.stdin! : undefined,
      stdout: options.tty ? merge(child.stdout!, child.stderr!) : child.stdout!,
      stderr: options.tty ? undefined : child.stderr!,
      resize: (size) => record.sizes.push(size),
      exit,
      close: () => child.kill('SIGKILL'),
    };
  }

  /** A program that reads its stdin slowly to the end, then exits. */
  private slowReader(): StreamSession {
    const stdin = new SlowReader(64 * 1024);
    this.slowReaders.push(stdin);
    const stdout = new PassThrough();
    const exit = new Promise<number>((resolve) => stdin.on('finish', () => resolve(0)));
    void exit.then(() => stdout.end());
    return { stdin, stdout, stderr: new PassThrough().end() as PassThrough, exit, close: () => stdin.destroy() };
  }

  async attach(namespace: string, pod: string, container: string, options: { stdin: boolean; tty: boolean }): Promise<StreamSession> {
    const main = this.mainProcesses.get(`${namespace}/${pod}`);
    if (!main || main.exitCode !== null) throw new ApiError(newBadRequest(`container ${container} is not running`));
    this.attaches.push(`${namespace}/${pod}/${container}`);
    return {
      stdin: options.stdin ? main.stdin! : undefined,
      stdout: options.tty ? merge(main.stdout!, main.stderr!) : main.stdout!,
      stderr: options.tty ? undefined : main.stderr!,
      exit: new Promise((resolve) => (main.exitCode !== null ? resolve(main.exitCode) : main.on('exit', (code) => resolve(code ?? 1)))),
      close: () => {},
    };
  }

  async portForward(namespace: string, pod: string, port: number): Promise<net.Socket> {
    const ip = this.podIPs.get(`${namespace}/${pod}`);
    if (!ip) throw podDoesNotExist('pod does not exist');
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: ip, port });
      socket.once('connect', () => {
        this.forwards.push(socket);
        resolve(socket);
      });
      socket.once('error', (error: NodeJS.ErrnoException) => reject(new Error(error.code === 'ECONNREFUSED' ? `dial tcp ${ip}:${port}: connect: connection refused` : error.message)));
    });
  }
}

/** stdout and stderr as one stream (what a terminal shows). */
function merge(a: Readable, b: Readable): Readable {
  const out = new PassThrough();
  let open = 2;
  for (const from of [a, b]) {
    from.pipe(out, { end: false });
    from.once('end', () => --open === 0 && out.end());
  }
  return out;
}

interface Result {
  status: number;
  stdout: string;
  stderr: string;
}

/** A command running in the background (never a synchronous spawn: this process serves the kubelet API). */
class Running {
  stdout = '';
  stderr = '';
  readonly done: Promise<Result>;
  constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.done = new Promise((resolve) => child.on('close', (code, signal) => resolve({ status: code ?? (signal ? -1 : 0), stdout: this.stdout, stderr: this.stderr })));
  }
  write(text: string): void {
    this.child.stdin!.write(text);
  }
  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

describe('kubectl logs, exec, attach and port-forward through the apiserver to the kubelet API', () => {
  let store: ServerProcess;
  let apiserver: ApiserverProcess;
  let client: ObjectsClient;
  let kubeletApi: { port: number; close(): Promise<void> };
  let podServer: http.Server;
  const streams = new ProcessPodStreams();
  const running = new Set<Running>();

  const start = (args: string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Running => {
    const child = spawn('kubectl', args, { env: { ...process.env, KUBECONFIG: apiserver.kubeconfig, ...options.env } });
    const run = new Running(child);
    running.add(run);
    const timer = setTimeout(() => run.kill(), options.timeoutMs ?? 30_000);
    void run.done.then(() => {
      clearTimeout(timer);
      running.delete(run);
    });
    return run;
  };
  const kubectl = (args: string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<Result> => {
    const run = start(args, options);
    run.child.stdin!.end(options.input ?? '');
    return run.done;
  };
  /** kubectl inside a real terminal (util-linux `script`), for -t. */
  const inTerminal = (command: string): Running => {
    const child = spawn('script', ['-qefc', `stty cols 100 rows 40; ${command}`, '/dev/null'], { env: { ...process.env, KUBECONFIG: apiserver.kubeconfig } });
    const run = new Running(child);
    running.add(run);
    const timer = setTimeout(() => run.kill(), 30_000);
    void run.done.then(() => {
      clearTimeout(timer);
      running.delete(run);
    });
    return run;
  };

  const createPod = async (name: string, spec: Record<string, unknown>, status?: Record<string, unknown>) => {
    const created = await client.create(Resources.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec } as KubeObject);
    if (status) await client.updateStatus(Resources.pods, { ...created, status });
  };
  /** Writes a pod's status as a kubelet does: read, write, and again on a conflict. */
  const setStatus = async (name: string, status: Record<string, unknown>) => {
    for (let attempt = 0; ; attempt++) {
      const pod = await client.get(Resources.pods, 'default', name);
      try {
        return await client.updateStatus(Resources.pods, { ...pod, status });
      } catch (error) {
        if (!isConflict(error) || attempt === 5) throw error;
      }
    }
  };
  const runningStatus = (containers: string[], podIP: string) => ({
    phase: 'Running',
    podIP,
    podIPs: [{ ip: podIP }],
    hostIP: NODE_IP,
    conditions: [
      { type: 'Ready', status: 'True' },
      { type: 'ContainersReady', status: 'True' },
    ],
    containerStatuses: containers.map((name) => ({ name, ready: true, restartCount: 0, image: 'busybox', imageID: '', state: { running: { startedAt: new Date().toISOString() } } })),
  });

  beforeAll(async () => {
    store = await startKubelabStore();
    apiserver = await startKubelabApiserver(store.endpoint);
    client = new ObjectsClient(apiserver.grpcEndpoint);
    kubeletApi = await startKubeletServer({ host: NODE_IP, port: 0, streams, log: createLogger('kubelet', 'silent') });
    const deadPort = await freePort();
    for (const [name, ip, port] of [
      [NODE, NODE_IP, kubeletApi.port],
      [DEAD_NODE, DEAD_NODE_IP, deadPort],
    ] as const) {
      const node = await client.create(Resources.nodes, { apiVersion: 'v1', kind: 'Node', metadata: { name } });
      await client.updateStatus(Resources.nodes, {
        ...node,
        status: { addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }], daemonEndpoints: { kubeletEndpoint: { Port: port } }, conditions: [{ type: 'Ready', status: 'True' }] },
      });
    }
    // The pod "web": two containers with logs, a real HTTP server on its IP.
    podServer = http.createServer((req, res) => res.end(`hello from web: ${req.url}`));
    await new Promise<void>((resolve) => podServer.listen(8080, POD_IP, resolve));
    streams.podIPs.set('default/web', POD_IP);
    streams.writeLog('default/web/a', 'a says one');
    streams.writeLog('default/web/a', 'a says two');
    streams.writeLog('default/web/a', 'a says three');
    streams.writeLog('default/web/b', 'b says hi');
    await createPod('web', { nodeName: NODE, containers: [{ name: 'a', image: 'busybox' }, { name: 'b', image: 'busybox' }] }, runningStatus(['a', 'b'], POD_IP));
    await createPod('pending', { containers: [{ name: 'c', image: 'busybox' }] });
    await createPod('ghost', { nodeName: DEAD_NODE, containers: [{ name: 'c', image: 'busybox' }] }, runningStatus(['c'], `127.${X}.${Y}.11`));
  });

  afterAll(async () => {
    for (const run of running) run.kill();
    for (const child of [...streams.children, ...streams.mainProcesses.values()]) child.kill('SIGKILL');
    await kubeletApi?.close();
    await new Promise((resolve) => podServer?.close(resolve));
    client?.close();
    await apiserver?.stop();
    await store?.stop();
  });

  it('kubectl logs: defaults the container, -c, --tail, --timestamps, --previous', async () => {
    const logs = await kubectl(['logs', 'web']);
    expect(logs).toMatchObject({ status: 0, stdout: 'a says one\na says two\na says three\n' });
    expect(logs.stderr).toContain('Defaulted container "a" out of: a, b');
    expect(await kubectl(['logs', 'web', '-c', 'b'])).toMatchObject({ status: 0, stdout: 'b says hi\n' });
    expect((await kubectl(['logs', 'web', '-c', 'a', '--tail=1'])).stdout).toBe('a says three\n');
    expect((await kubectl(['logs', 'web', '-c', 'a', '--tail=2', '--timestamps'])).stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z a says two\n\S+ a says three\n$/);
    expect(await kubectl(['logs', 'web', '-c', 'a', '--previous'])).toMatchObject({ status: 1, stderr: 'Error from server (BadRequest): previous terminated container "a" in pod "web" not found\n' });
  });

  it('kubectl logs -f streams lines as they come and ends with the log', async () => {
    const follow = start(['logs', '-f', 'web', '-c', 'a']);
    await waitFor(() => follow.stdout.includes('a says three\n'), { timeoutMs: 10_000, what: 'the existing lines' });
    streams.writeLog('default/web/a', 'a says four');
    await waitFor(() => follow.stdout.endsWith('a says four\n'), { timeoutMs: 10_000, what: 'a line written after kubectl started following' });
    expect(follow.child.exitCode).toBeNull();
    streams.endLog('default/web/a');
    expect(await follow.done).toMatchObject({ status: 0, stdout: 'a says one\na says two\na says three\na says four\n' });

    // A follower that goes away (Ctrl-C) stops the kubelet's reader.
    streams.writeLog('default/web/b', 'b again');
    const leaving = start(['logs', '-f', 'web', '-c', 'b']);
    await waitFor(() => leaving.stdout.includes('b again'), { timeoutMs: 10_000, what: 'the follower to read' });
    expect(streams.openReaders).toBe(1);
    leaving.kill();
    await waitFor(() => streams.openReaders === 0, { timeoutMs: 10_000, what: 'the kubelet to stop reading' });
  });

  it('the log API validates as Kubernetes does', async () => {
    const get = async (path: string) => {
      const res = await fetch(`${apiserver.url}/api/v1/namespaces/default/pods/${path}`);
      return { code: res.status, type: res.headers.get('content-type'), body: await res.text() };
    };
    const choose = await get('web/log');
    expect(choose.code).toBe(400);
    expect(JSON.parse(choose.body)).toMatchObject({ reason: 'BadRequest', message: 'a container name must be specified for pod web, choose one of: [a b]' });
    expect(JSON.parse((await get('web/log?container=zz')).body)).toMatchObject({ code: 400, message: 'container zz is not valid for pod web' });
    expect(JSON.parse((await get('web/log?container=a&tailLines=-1')).body)).toMatchObject({ code: 422, reason: 'Invalid', message: 'PodLogOptions "web" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0' });
    expect(JSON.parse((await get('nope/log')).body)).toMatchObject({ code: 404, reason: 'NotFound', message: 'pods "nope" not found' });
    expect(await get('web/log?container=b&tailLines=1')).toEqual({ code: 200, type: 'text/plain', body: 'b again\n' });
    // Not on a node yet: an empty log.
    expect(await get('pending/log')).toMatchObject({ code: 200, body: '' });
    // exec without an upgrade.
    const res = await fetch(`${apiserver.url}/api/v1/namespaces/default/pods/web/exec?command=ls&stdout=true&container=a`, { method: 'POST' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ message: 'Upgrade request required' });
  });

  it('kubectl exec: stdout, stderr and the exit code over WebSocket v5', async () => {
    const result = await kubectl(['exec', 'web', '-c', 'a', '-v=4', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(result.status).toBe(3);
    expect(result.stdout).toBe('out\n');
    expect(result.stderr).toContain('err\n');
    expect(result.stderr).toContain('The subprotocol is v5.channel.k8s.io');
    expect(result.stderr).toMatch(/command terminated with exit code 3\n$/);
    expect(await kubectl(['exec', 'web', '-c', 'a', '--', 'true'])).toEqual({ status: 0, stdout: '', stderr: '' });

    // kubectl going away (Ctrl-C) ends the process in the container.
    const before = streams.execs.length;
    const sleeper = start(['exec', 'web', '-c', 'a', '--', 'sleep', '30']);
    const exec = await waitFor(() => streams.execs.length > before && streams.execs.at(-1), { timeoutMs: 10_000, what: 'the exec' });
    sleeper.kill();
    await waitFor(() => exec.child.exitCode !== null || exec.child.signalCode !== null, { timeoutMs: 10_000, what: 'the exec\'d process to be killed' });
  });

  it('kubectl exec -i: stdin reaches the process and its end closes it', async () => {
    const result = await kubectl(['exec', '-i', 'web', '-c', 'a', '--', 'cat'], { input: 'line one\nline two\n' });
    expect(result).toEqual({ status: 0, stdout: 'line one\nline two\n', stderr: '' });
    expect(streams.execs.at(-1)).toMatchObject({ command: ['cat'], stdin: true, tty: false });
  });

  for (const [protocol, env] of [
    ['WebSocket', {}],
    ['SPDY', { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' }],
  ] as const) {
    it(`kubectl exec -i (${protocol}) into a program that reads slowly: 50 MiB go through, never piling up in the apiserver or the kubelet`, async () => {
      const total = 50 * 1024 * 1024;
      const before = streams.slowReaders.length;
      const run = start(['exec', '-i', 'web', '-c', 'a', '--', 'slow-reader'], { env, timeoutMs: 120_000 });
      const stdin = run.child.stdin!;
      stdin.on('error', () => undefined);
      const chunk = Buffer.alloc(64 * 1024, 'x');
      // What kubectl has taken from its stdin but the program has not read yet: every hop's buffers together.
      let written = 0;
      let maxInFlight = 0;
      while (written < total && run.child.exitCode === null) {
        const more = stdin.write(chunk);
        written += chunk.length;
        maxInFlight = Math.max(maxInFlight, written - stdin.writableLength - (streams.slowReaders[before]?.read ?? 0));
        if (!more) await new Promise((resolve) => stdin.once('drain', resolve));
      }
      stdin.end();
      const result = await run.done;
      const reader = streams.slowReaders[before]!;
      expect(result).toMatchObject({ status: 0, stderr: '' });
      expect(reader.read).toBe(total);
      // The kubelet writes no faster than the program reads (its pipe's buffer and one message), and
      // the apiserver no faster than the kubelet takes: what is in flight is the connections' buffers.
      expect(reader.maxBuffered).toBeLessThan(1024 * 1024);
      // (Without backpressure at some hop, what is in flight is most of the transfer.)
      expect(maxInFlight).toBeLessThan(total / 2);
    });
  }

  it('kubectl exec of a command that cannot start fails after the upgrade, in Kubernetes\' words', async () => {
    const oci = 'failed to exec in container: failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start container process: exec: "nosuchcmd": executable file not found in \\$PATH: unknown';
    // kubectl's WebSocket goes through the apiserver's stream translator, which wraps the kubelet's error once more.
    const websocket = await kubectl(['exec', 'web', '-c', 'a', '--', 'nosuchcmd', 'arg']);
    expect(websocket).toMatchObject({ status: 1, stdout: '' });
    expect(websocket.stderr).toMatch(new RegExp(`^error: Internal error occurred: Internal error occurred: error executing command in container: ${oci}\n$`));
    // SPDY is proxied to the kubelet: its Status as it wrote it.
    const spdy = await kubectl(['exec', 'web', '-c', 'a', '--', 'nosuchcmd', 'arg'], { env: { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' } });
    expect(spdy).toMatchObject({ status: 1, stdout: '' });
    expect(spdy.stderr).toMatch(new RegExp(`^error: Internal error occurred: error executing command in container: ${oci}\n$`));
  });

  it('kubectl exec falls back to SPDY when WebSockets are off', async () => {
    const env = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' };
    const result = await kubectl(['exec', 'web', '-c', 'a', '--', 'sh', '-c', 'echo spdy-out; echo spdy-err >&2; exit 4'], { env });
    expect(result).toEqual({ status: 4, stdout: 'spdy-out\n', stderr: 'spdy-err\ncommand terminated with exit code 4\n' });
    expect(await kubectl(['exec', '-i', 'web', '-c', 'a', '--', 'cat'], { env, input: 'through spdy\n' })).toEqual({ status: 0, stdout: 'through spdy\n', stderr: '' });
  });

  it('kubectl exec -it runs in a terminal: resizes arrive, the exit code comes back', async () => {
    const before = streams.execs.length;
    const session = inTerminal('kubectl exec -it web -c a -- sh');
    await waitFor(() => streams.execs.length > before && streams.execs.at(-1)!.sizes.length > 0, { timeoutMs: 15_000, what: 'the exec and its terminal size' });
    const exec = streams.execs.at(-1)!;
    expect(exec).toMatchObject({ command: ['sh'], stdin: true, tty: true });
    expect(exec.sizes[0]).toEqual({ width: 100, height: 40 });
    session.write('echo $((6 * 7)); exit 5\n');
    const result = await session.done;
    expect(result.stdout).toContain('42');
    expect(result.stdout).toContain('command terminated with exit code 5');
    expect(result.status).toBe(5);
  });

  it('kubectl run --rm -it attaches to the container, then deletes the pod', async () => {
    // This test plays the scheduler and the kubelet's pod worker for the pod kubectl creates.
    const worker = (async () => {
      const pod = await waitFor(() => client.get(Resources.pods, 'default', 'runner').catch(() => undefined), { timeoutMs: 15_000, what: 'kubectl to create the pod' });
      const spec = pod.spec as { containers: Array<{ name: string; args?: string[]; stdin?: boolean; tty?: boolean }> };
      expect(spec.containers[0]).toMatchObject({ args: ['sh'], stdin: true, tty: true });
      await client.bind('default', 'runner', NODE);
      const main = spawn(spec.containers[0]!.args![0]!, [], { stdio: 'pipe' });
      streams.mainProcesses.set('default/runner', main);
      streams.podIPs.set('default/runner', `127.${X}.${Y}.12`);
      const exited = new Promise<number>((resolve) => main.on('exit', (code) => resolve(code ?? 1)));
      await setStatus('runner', runningStatus(['runner'], `127.${X}.${Y}.12`));
      const code = await exited;
      await setStatus('runner', {
        phase: 'Succeeded',
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [{ name: 'runner', ready: false, restartCount: 0, image: 'busybox', imageID: '', state: { terminated: { exitCode: code, reason: 'Completed' } } }],
      });
    })();
    worker.catch(() => undefined); // awaited below
    const session = inTerminal('kubectl run --rm -it runner --image=busybox -- sh');
    await waitFor(() => streams.attaches.includes('default/runner/runner'), { timeoutMs: 20_000, what: 'kubectl to attach' });
    session.write('echo $((6 * 7))-from-runner; exit 0\n');
    const result = await session.done;
    await worker;
    expect(result.stdout).toContain('If you don\'t see a command prompt, try pressing enter.');
    expect(result.stdout).toContain('42-from-runner');
    expect(result.stdout).toContain('pod "runner" deleted');
    expect(result.status).toBe(0);
    await waitFor(async () => (await client.get(Resources.pods, 'default', 'runner').catch(() => undefined)) === undefined || (await client.get(Resources.pods, 'default', 'runner')).metadata.deletionTimestamp, { timeoutMs: 10_000, what: 'the pod to go' });
  });

  it('kubectl attach -i joins the container\'s process; its exit code is the pod\'s business', async () => {
    const main = spawn('sh', ['-c', 'read line; echo "got $line"; exit 3'], { stdio: 'pipe' });
    streams.mainProcesses.set('default/talker', main);
    streams.podIPs.set('default/talker', `127.${X}.${Y}.13`);
    await createPod('talker', { nodeName: NODE, containers: [{ name: 'talker', image: 'busybox', stdin: true }] }, runningStatus(['talker'], `127.${X}.${Y}.13`));
    expect(await kubectl(['attach', '-i', 'talker'], { input: 'hello\n' })).toEqual({ status: 0, stdout: 'got hello\n', stderr: "If you don't see a command prompt, try pressing enter.\n" });
    expect(streams.attaches).toContain('default/talker/talker');
  });

  for (const [protocol, env] of [
    ['SPDY tunnelled in a WebSocket', {}],
    ['plain SPDY', { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }],
  ] as const) {
    it(`kubectl port-forward (${protocol}) carries HTTP to the pod's port`, async () => {
      const localPort = await freePort();
      const forward = start(['port-forward', 'pod/web', `${localPort}:8080`, '-v=4'], { env });
      await waitFor(() => forward.stdout.includes(`Forwarding from 127.0.0.1:${localPort} -> 8080`), { timeoutMs: 15_000, what: 'kubectl to listen' });
      for (const path of ['/first', '/second']) {
        const body = await new Promise<string>((resolve, reject) => {
          http
            .get({ host: '127.0.0.1', port: localPort, path, agent: false, headers: { connection: 'close' } }, (res) => {
              let text = '';
              res.on('data', (chunk: Buffer) => (text += chunk.toString()));
              res.on('end', () => resolve(text));
            })
            .on('error', reject);
        });
        expect(body).toBe(`hello from web: ${path}`);
      }
      expect(forward.stdout).toContain(`Handling connection for ${localPort}`);
      // kubectl -v=4 says which dialer got through.
      if (protocol === 'plain SPDY') expect(forward.stderr).not.toContain('tunneling_dialer');
      else expect(forward.stderr).toContain('negotiated protocol: portforward.k8s.io');
      expect(forward.stderr).not.toContain('fallback to secondary dialer');
      expect(forward.child.exitCode).toBeNull();
      forward.kill();
    });
  }

  it('kubectl port-forward to a slow reader: 64 MiB from the pod go through, never piling up on the way', async () => {
    const total = 64 * 1024 * 1024;
    const pod = net.createServer(async (socket) => {
      socket.on('error', () => undefined);
      const chunk = Buffer.alloc(64 * 1024, 'y');
      for (let at = 0; at < total && !socket.destroyed; at += chunk.length) {
        if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve));
      }
      socket.end();
    });
    const before = streams.forwards.length;
    await new Promise<void>((resolve) => pod.listen(8081, POD_IP, resolve));
    try {
      const localPort = await freePort();
      const forward = start(['port-forward', 'pod/web', `${localPort}:8081`], { timeoutMs: 120_000 });
      await waitFor(() => forward.stdout.includes('Forwarding from'), { timeoutMs: 15_000, what: 'kubectl to listen' });
      let received = 0;
      let maxInFlight = 0;
      const client = net.connect({ host: '127.0.0.1', port: localPort });
      client.on('data', (data: Buffer) => {
        received += data.length;
        // What the kubelet has read from the pod but the client has not yet: the kubelet's, the apiserver's and kubectl's share.
        maxInFlight = Math.max(maxInFlight, (streams.forwards[before]?.bytesRead ?? 0) - received);
        // A reader that takes its time with each chunk.
        client.pause();
        setTimeout(() => client.resume(), 3);
      });
      await waitFor(() => received === total, { timeoutMs: 100_000, what: 'the whole download' });
      client.destroy();
      forward.kill();
      // What is in flight is the connections' buffers (the kernel's, kubectl's), not the download.
      expect(maxInFlight).toBeLessThan(total / 2);
    } finally {
      await new Promise((resolve) => pod.close(resolve));
    }
  });

  it('kubectl port-forward to a pod that reads slowly: 64 MiB up go through, never piling up on the way', async () => {
    const total = 64 * 1024 * 1024;
    let podRead = 0;
    const pod = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.on('data', (data: Buffer) => {
        podRead += data.length;
        // A server that takes its time with each chunk.
        socket.pause();
        setTimeout(() => socket.resume(), 3);
      });
      socket.on('end', () => socket.end(`got ${podRead}`));
    });
    await new Promise<void>((resolve) => pod.listen(8082, POD_IP, resolve));
    try {
      const localPort = await freePort();
      const forward = start(['port-forward', 'pod/web', `${localPort}:8082`], { timeoutMs: 120_000 });
      await waitFor(() => forward.stdout.includes('Forwarding from'), { timeoutMs: 15_000, what: 'kubectl to listen' });
      const client = net.connect({ host: '127.0.0.1', port: localPort });
      client.on('error', () => undefined);
      let answer = '';
      client.on('data', (data: Buffer) => (answer += data.toString()));
      await new Promise((resolve) => client.once('connect', resolve));
      const chunk = Buffer.alloc(64 * 1024, 'z');
      // What the client's socket has taken but the pod has not read yet: every hop's buffers together.
      let written = 0;
      let maxInFlight = 0;
      while (written < total && !client.destroyed) {
        const more = client.write(chunk);
        written += chunk.length;
        maxInFlight = Math.max(maxInFlight, written - client.writableLength - podRead);
        if (!more) await new Promise((resolve) => client.once('drain', resolve));
      }
      client.end();
      await waitFor(() => answer === `got ${total}`, { timeoutMs: 100_000, what: 'the pod to read the whole upload' });
      forward.kill();
      expect(maxInFlight).toBeLessThan(total / 2);
    } finally {
      await new Promise((resolve) => pod.close(resolve));
    }
  });

  it('kubectl port-forward to a port nobody listens on reports the kubelet\'s error', async () => {
    const localPort = await freePort();
    const forward = start(['port-forward', 'pod/web', `${localPort}:9`]);
    await waitFor(() => forward.stdout.includes('Forwarding from'), { timeoutMs: 15_000, what: 'kubectl to listen' });
    await new Promise<void>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port: localPort });
      socket.on('close', () => resolve());
      socket.on('error', () => undefined);
      socket.resume();
    });
    const result = await forward.done;
    expect(result.stderr).toContain(`an error occurred forwarding ${localPort} -> 9: error forwarding port 9 to pod web_default, uid : dial tcp ${POD_IP}:9: connect: connection refused`);
    expect(result.stderr).toContain('error: lost connection to pod');
  });

  it('pods/proxy and services/proxy reach the pod\'s server', async () => {
    expect(await kubectl(['get', '--raw', '/api/v1/namespaces/default/pods/web:8080/proxy/some/path?x=1'])).toEqual({ status: 0, stdout: 'hello from web: /some/path?x=1', stderr: '' });
    await client.create(Resources.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: 'None', ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
    await client.create(Resources.endpoints, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'default' }, subsets: [{ addresses: [{ ip: POD_IP }], ports: [{ name: 'http', port: 8080 }] }] } as KubeObject);
    expect((await kubectl(['get', '--raw', '/api/v1/namespaces/default/services/web:80/proxy/svc'])).stdout).toBe('hello from web: /svc');
    expect((await kubectl(['get', '--raw', '/api/v1/namespaces/default/services/web:http/proxy/'])).stdout).toBe('hello from web: /');
    const missing = await fetch(`${apiserver.url}/api/v1/namespaces/default/services/web:81/proxy/`);
    expect([missing.status, ((await missing.json()) as { message: string }).message]).toEqual([503, 'no service port 81 found for service "web"']);
    const down = await fetch(`${apiserver.url}/api/v1/namespaces/default/pods/ghost:80/proxy/`);
    expect([down.status, await down.json()]).toEqual([503, expect.objectContaining({ reason: 'ServiceUnavailable', message: `error trying to reach service: dial tcp 127.${X}.${Y}.11:80: connect: connection refused` })]);
  });

  it('kubectl logs: a log that fails while it is read ends with the kubelet\'s error in its text, and kubectl exits 0', async () => {
    streams.podIPs.set('default/flaky', `127.${X}.${Y}.15`);
    streams.writeLog('default/flaky/c', 'one');
    streams.writeLog('default/flaky/c', 'two');
    const gone = `unable to retrieve container logs for kubelab://${'ab'.repeat(32)}`;
    streams.failingLogs.set('default/flaky/c', gone);
    await createPod('flaky', { nodeName: NODE, containers: [{ name: 'c', image: 'busybox' }] }, runningStatus(['c'], `127.${X}.${Y}.15`));
    expect(await kubectl(['logs', 'flaky'])).toEqual({ status: 0, stdout: `one\ntwo\n${gone}`, stderr: '' });
    expect(await kubectl(['logs', '-f', 'flaky'])).toEqual({ status: 0, stdout: `one\ntwo\n${gone}`, stderr: '' });
  });

  it('a pod its kubelet does not run: the kubelet\'s 404, as the apiserver words it for logs and exec', async () => {
    await createPod('stray', { nodeName: NODE, containers: [{ name: 'c', image: 'busybox' }] }, runningStatus(['c'], `127.${X}.${Y}.16`));
    expect(await kubectl(['logs', 'stray'])).toEqual({ status: 1, stdout: '', stderr: 'Error from server (NotFound): the server could not find the requested resource ( pods/log stray)\n' });
    const res = await fetch(`${apiserver.url}/api/v1/namespaces/default/pods/stray/log`);
    expect([res.status, await res.json()]).toEqual([404, expect.objectContaining({ reason: 'NotFound', details: { name: 'stray', group: '', kind: 'pods/log' } })]);
    expect(await kubectl(['exec', 'stray', '--', 'ls'])).toEqual({ status: 1, stdout: '', stderr: 'error: Internal error occurred: unable to upgrade connection: pod does not exist\n' });
  });

  it('says what Kubernetes says when the pod is missing, unscheduled, or its kubelet unreachable', async () => {
    // kubectl's own lookup of the pod words this one.
    expect(await kubectl(['logs', 'nope'])).toMatchObject({ status: 1, stderr: 'error: error from server (NotFound): pods "nope" not found in namespace "default"\n' });
    expect(await kubectl(['exec', 'nope', '--', 'ls'])).toMatchObject({ status: 1, stderr: 'Error from server (NotFound): pods "nope" not found\n' });
    expect(await kubectl(['exec', 'pending', '--', 'ls'])).toMatchObject({ status: 1, stderr: 'Error from server (BadRequest): pod pending does not have a host assigned\n' });
    expect(await kubectl(['logs', 'pending'])).toMatchObject({ status: 0, stdout: '' });

    const dead = (await client.get(Resources.nodes, undefined, DEAD_NODE)).status as { daemonEndpoints: { kubeletEndpoint: { Port: number } } };
    const endpoint = `${DEAD_NODE_IP}:${dead.daemonEndpoints.kubeletEndpoint.Port}`;
    const refused = `dial tcp ${endpoint}: connect: connection refused`;
    expect(await kubectl(['logs', 'ghost'])).toMatchObject({ status: 1, stderr: `Error from server: Get "https://${endpoint}/containerLogs/default/ghost/c": ${refused}\n` });
    expect(await kubectl(['exec', 'ghost', '--', 'ls'])).toMatchObject({
      status: 1,
      stderr: `error: Internal error occurred: error sending request: Post "https://${endpoint}/exec/default/ghost/c?command=ls&error=1&output=1": ${refused}\n`,
    });
    expect(await kubectl(['exec', 'ghost', '--', 'ls'], { env: { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' } })).toMatchObject({ status: 1, stderr: `Error from server: error dialing backend: ${refused}\n` });
    expect(await kubectl(['port-forward', 'ghost', `${await freePort()}:80`])).toMatchObject({ status: 1, stderr: `error: error upgrading connection: error dialing backend: ${refused}\n` });
    // The kubelet says the container is not there.
    expect(await kubectl(['exec', 'web', '-c', 'b', '--', 'ls'])).toMatchObject({ status: 1, stderr: 'error: Internal error occurred: unable to upgrade connection: container not found ("b")\n' });
  });
});
