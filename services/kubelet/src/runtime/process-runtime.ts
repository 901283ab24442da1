import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { realClock, type Clock } from '@kubelab/client';
import type { Logger } from '@kubelab/component-base';
import { resolveImage } from '@kubelab/images';
import { attachSession } from './attach';
import { containerCommand, containerEnv, lookPath, noCommandError, workingDirError } from './command';
import { Container } from './container';
import { newContainerId } from './container-id';
import { readCriLog } from './cri-log-reader';
import { CriLogWriter, rotatedLogs } from './cri-log-writer';
import { execWithTimeout, signalNumber, startExec, type ExecTarget } from './exec';
import { findHostTools, installBusyboxApplets, type HostTools } from './host-tools';
import { Housekeeper } from './housekeeping';
import { ImagePuller, type ResolveImage } from './image-puller';
import { RuntimeLayout } from './layout';
import { nodeBaselineBytes } from './node-baseline';
import { hostsFile, resolvConf } from './pod-dns';
import { isAlive, readProcStat } from './proc-stat';
import { childrenOf } from './proc-scanner';
import { readExitCode, readRecords, writeRecord, type ContainerRecord } from './records';
import { shimCommand } from './shim';
import { signalContainer } from './signals';
import { PtyResizer } from './tty';
import {
  ContainerStartError,
  type ContainerConfig,
  type ContainerRuntime,
  type ContainerStats,
  type ContainerStatus,
  type ExecResult,
  type LogOptions,
  type PodSandboxConfig,
  type PulledImage,
  type StreamSession,
} from './types';

export interface ProcessRuntimeOptions {
  /** The kubelet's --root-dir: records, raw output, CRI logs, busybox applets (layout.ts). */
  rootDir: string;
  log: Logger;
  /** How often containers are measured; the containers with a memory or CPU limit every min(this, 250 ms). */
  housekeepingIntervalMs: number;
  /** Times in statuses and the stop grace period (measurement itself runs on real timers: it measures real processes). */
  clock?: Clock;
  resolveImage?: ResolveImage;
  /** The Node.js that runs 'node' images (default: this one). */
  nodePath?: string;
}

const OCI_CREATE = 'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process';

/**
 * The kubelab container runtime (the kubelet's CRI runtime): a container is an OS process started
 * from the image catalogue, under a busybox shim that records its exit code (shim.ts), writing its
 * output to files that become the CRI log (cri-log-writer.ts). Containers outlive the kubelet; a
 * new runtime on the same root dir adopts them (adopt). Housekeeping scans /proc once per interval
 * for every container (proc-scanner.ts): stats, memory limits (OOMKilled), CPU limits
 * (cpu-throttle.ts), and the exit of containers it did not start; containers with a limit are
 * checked more often in between (housekeeping-schedule.ts).
 */
export class ProcessRuntime implements ContainerRuntime {
  private readonly layout: RuntimeLayout;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly tools: HostTools;
  private readonly puller: ImagePuller;
  private readonly nodePath: string;
  private readonly housekeeper: Housekeeper;
  private readonly containers = new Map<string, Container>();
  /** The same containers by pod UID (listContainers(uid) runs several times in every pod sync). */
  private readonly byPod = new Map<string, Map<string, Container>>();
  private readonly exitListeners: Array<(status: ContainerStatus) => void> = [];
  private readonly baseline: Promise<number>;
  private baselineBytes = 0;
  private namespacesUsable: boolean | undefined;
  private closed = false;

  constructor(options: ProcessRuntimeOptions) {
    this.layout = new RuntimeLayout(options.rootDir);
    this.log = options.log;
    this.clock = options.clock ?? realClock;
    this.nodePath = options.nodePath ?? process.execPath;
    this.housekeeper = new Housekeeper({
      intervalMs: options.housekeepingIntervalMs,
      clock: this.clock,
      log: this.log,
      containers: () => this.containers.values(),
      baselineBytes: () => this.baselineBytes,
      gone: (c) => this.processGone(c),
      oomKill: (c) => this.oomKill(c),
    });
    fs.mkdirSync(this.layout.containersDir, { recursive: true });
    this.tools = findHostTools();
    if (this.tools.busybox) {
      installBusyboxApplets(this.tools.busybox, this.layout.binDir);
    } else {
      this.log.warn('busybox not found on PATH: containers cannot start (apt-get install busybox)');
    }
    this.puller = new ImagePuller(this.layout.imagesFile, options.resolveImage ?? resolveImage);
    this.baseline = nodeBaselineBytes(this.nodePath).then(
      (bytes) => {
        this.baselineBytes = bytes;
        this.log.debug({ bytes }, 'measured the Node.js baseline memory');
        return bytes;
      },
      (error: unknown) => {
        this.log.warn({ err: error }, 'could not measure the Node.js baseline memory: node containers are charged their whole RSS');
        return 0;
      },
    );
  }

  async pullImage(image: string): Promise<PulledImage> {
    return this.puller.pull(image);
  }

  async startContainer(pod: PodSandboxConfig, config: ContainerConfig): Promise<ContainerStatus> {
    if (this.closed) throw new Error('the container runtime is closed');
    const busybox = this.tools.busybox;
    if (!busybox) throw new ContainerStartError(`${OCI_CREATE}: busybox not found on the node: unknown`);
    const resolved = this.puller.resolveOrThrow(config.image);
    const command = containerCommand(resolved.definition, config, this.nodePath);
    if (command.argv.length === 0) throw noCommandError(config.name);
    const env = containerEnv(resolved.definition, config, this.layout.binDir);
    const id = newContainerId();
    const dir = this.layout.containerDir(id);
    let cwd: string;
    if (config.workingDir) {
      cwd = config.workingDir;
      if (!fs.statSync(cwd, { throwIfNoEntry: false })?.isDirectory()) throw workingDirError(cwd);
    } else {
      cwd = this.layout.rootfsDir(id);
    }
    // The image's Node.js program runs under this very Node.js: nothing to look for.
    const file = command.argv[0] === this.nodePath ? this.nodePath : lookPath(command.argv[0]!, env, cwd);
    if (command.runtime === 'node') await this.baseline;

    // The rootfs (the default cwd) is inside the container's directory: one call makes both.
    fs.mkdirSync(config.workingDir ? dir : cwd, { recursive: true });
    const namespaces = command.runtime === 'native' && this.canUseNamespaces();
    let namespace: { unshare: string; resolvConf?: string; hosts: string; hostname: string } | undefined;
    if (namespaces) {
      const resolv = resolvConf(pod);
      const resolvFile = this.layout.resolvConfFile(id);
      const hosts = this.layout.hostsFile(id);
      if (resolv !== undefined) fs.writeFileSync(resolvFile, resolv);
      fs.writeFileSync(hosts, hostsFile(pod));
      namespace = {
        unshare: this.tools.unshare!,
        resolvConf: resolv !== undefined ? resolvFile : undefined,
        hosts,
        hostname: pod.hostname,
      };
    }
    const logPath = this.layout.logFile(pod, config.name, config.attempt);
    fs.mkdirSync(this.layout.logDir(pod, config.name), { recursive: true });
    const tty = config.tty === true && this.tools.script !== undefined;
    const shim = shimCommand({
      busybox,
      exitFile: this.layout.exitFile(id),
      argv: [file, ...command.argv.slice(1)],
      env,
      namespace,
      tty: tty ? { script: this.tools.script! } : undefined,
    });

    const createdAt = this.clock.now();
    const out = fs.openSync(this.layout.stdoutFile(id), 'a');
    const err = fs.openSync(this.layout.stderrFile(id), 'a');
    let child;
    try {
      child = spawn(shim.file, shim.args, { env, cwd, detached: true, stdio: [config.stdin ? 'pipe' : 'ignore', out, err] });
    } finally {
      fs.closeSync(out);
      fs.closeSync(err);
    }
    if (child.pid === undefined) {
      const error = await new Promise<Error>((resolve) => child.once('error', resolve));
      fs.rmSync(dir, { recursive: true, force: true });
      throw new ContainerStartError(`${OCI_CREATE}: ${error.message}: unknown`);
    }
    const record: ContainerRecord = {
      id,
      pod,
      config,
      imageRef: resolved.imageID,
      runtime: command.runtime,
      env,
      cwd,
      namespaces,
      logPath,
      state: 'running',
      pid: child.pid,
      startTime: readProcStat(child.pid)?.startTime ?? 0,
      createdAt,
      startedAt: this.clock.now(),
    };
    writeRecord(this.layout.recordFile(id), record);
    const container = new Container(record);
    container.child = child;
    this.track(container);
    child.on('error', () => {});
    child.once('exit', (code, signal) => this.processGone(container, { code, signal }));
    child.unref();
    if (child.stdin) {
      container.stdinPipe = child.stdin;
      child.stdin.on('error', () => {});
      (child.stdin as unknown as { unref?: () => void }).unref?.();
    }
    // The log writer creates the log file (before anything can read it: this runs in one go).
    this.startLogging(container, { fresh: true });
    this.ensureHousekeeping();
    this.log.debug({ id, pod: `${pod.namespace}/${pod.name}`, container: config.name, pid: child.pid }, 'started container');
    return container.status();
  }

  async stopContainer(id: string, gracePeriodSeconds: number): Promise<void> {
    const c = this.containers.get(id);
    if (!c || !c.running) return;
    c.throttle?.dispose();
    const pid = c.record.pid!;
    if (gracePeriodSeconds > 0) {
      // As runc's kill: SIGTERM to the container's main process only (a shell's children are its business), SIGKILL to all.
      signalContainer(pid, c.members, 'SIGCONT');
      for (const main of this.mainProcesses(c)) {
        try {
          process.kill(main, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      let timer: ReturnType<Clock['setTimeout']> | undefined;
      const graceOver = new Promise<'kill'>((resolve) => (timer = this.clock.setTimeout(() => resolve('kill'), gracePeriodSeconds * 1000)));
      const outcome = await Promise.race([c.exited.then(() => 'exited' as const), graceOver]);
      this.clock.clearTimeout(timer!);
      if (outcome === 'exited') return;
    }
    if (c.running) signalContainer(pid, c.members, 'SIGKILL');
    await c.exited;
  }

  async removeContainer(id: string): Promise<void> {
    const c = this.containers.get(id);
    if (!c) return;
    if (c.running) await this.stopContainer(id, 0);
    this.containers.delete(id);
    const ofPod = this.byPod.get(c.record.pod.uid);
    ofPod?.delete(id);
    if (ofPod?.size === 0) this.byPod.delete(c.record.pod.uid);
    fs.rmSync(this.layout.recordFile(id), { force: true });
    fs.rmSync(this.layout.containerDir(id), { recursive: true, force: true });
    fs.rmSync(c.record.logPath, { force: true });
    for (const rotated of rotatedLogs(c.record.logPath)) fs.rmSync(rotated, { force: true });
    // Empty container and pod log directories go too.
    for (let dir = path.dirname(c.record.logPath), i = 0; i < 2; dir = path.dirname(dir), i++) {
      try {
        fs.rmdirSync(dir);
      } catch {
        break;
      }
    }
  }

  listContainers(podUid?: string): ContainerStatus[] {
    const of = podUid === undefined ? this.containers : this.byPod.get(podUid);
    if (!of) return [];
    const out: ContainerStatus[] = [];
    for (const c of of.values()) out.push(c.status());
    return out;
  }

  getContainer(id: string): ContainerStatus | undefined {
    return this.containers.get(id)?.status();
  }

  onContainerExit(listener: (status: ContainerStatus) => void): void {
    this.exitListeners.push(listener);
  }

  stats(id: string): ContainerStats | undefined {
    return this.containers.get(id)?.stats();
  }

  readLogs(id: string, options: LogOptions, signal: AbortSignal): AsyncIterable<Buffer> {
    const c = this.containers.get(id);
    if (!c) return failing(new Error(`an error occurred when try to find container "${id}": not found`));
    const logPath = c.record.logPath;
    if (!fs.existsSync(logPath)) {
      return failing(new Error(`failed to try resolving symlinks in path "${logPath}": lstat ${logPath}: no such file or directory`));
    }
    return readCriLog(logPath, options, signal, { done: () => !c.running, changed: (s) => c.logChanged(s) }, Date.now());
  }

  exec(id: string, command: string[], options: { stdin: boolean; tty: boolean }): StreamSession {
    return startExec(this.execTarget(id), command, options);
  }

  execSync(id: string, command: string[], timeoutMs: number, cancelled?: AbortSignal): Promise<ExecResult> {
    try {
      return execWithTimeout(this.execTarget(id), command, timeoutMs, this.clock, cancelled);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  attach(id: string, options: { stdin: boolean; tty: boolean }): StreamSession {
    const c = this.containers.get(id);
    if (!c) throw new Error(`an error occurred when try to find container "${id}": not found`);
    // A process that already ended (its exit not handled yet) has had its say: an attach would get
    // nothing, so it is refused and kubectl falls back to the logs, as it does against containerd.
    if (!c.running || !isAlive(c.record.pid!, c.record.startTime ?? 0)) throw new Error(`container ${id} is not running`);
    const tty = options.tty && c.record.config.tty === true;
    const resizer = tty ? new PtyResizer(this.tools.stty, () => c.members.map((m) => m.pid)) : undefined;
    return attachSession({
      tty: c.record.config.tty === true,
      stdin: options.stdin ? c.stdinPipe : undefined,
      stdinOnce: c.record.config.stdinOnce === true,
      subscribe: (listener) => {
        c.outputListeners.add(listener);
        return () => {
          c.outputListeners.delete(listener);
          resizer?.dispose();
        };
      },
      exit: c.exited,
      resize: resizer ? (size) => resizer.resize(size) : undefined,
    });
  }

  async adopt(): Promise<ContainerStatus[]> {
    await this.baseline;
    const adopted: Container[] = [];
    for (const record of readRecords(this.layout.containersDir)) {
      if (this.containers.has(record.id)) continue;
      const c = new Container(record);
      this.track(c);
      adopted.push(c);
      if (record.state === 'exited') continue;
      this.startLogging(c);
      if (record.pid === undefined || record.startTime === undefined || !isAlive(record.pid, record.startTime)) {
        this.processGone(c, undefined, { notify: false });
      }
    }
    // Measure at once (stats, members), and let run what a kubelet that died while throttling left stopped.
    this.housekeep();
    for (const c of adopted) if (c.running) signalContainer(c.record.pid!, c.members, 'SIGCONT');
    this.ensureHousekeeping({ measureNow: false });
    const running = adopted.filter((c) => c.running).length;
    if (adopted.length > 0) this.log.info({ running, exited: adopted.length - running }, 'adopted containers of a previous kubelet');
    return this.listContainers();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.housekeeper.stop();
    for (const c of this.containers.values()) {
      c.throttle?.dispose();
      c.watcher?.close();
      c.writer?.close();
      c.writer = undefined;
      c.stdinPipe?.destroy();
      c.notifyLog();
    }
  }

  /** The cost of the last full /proc scan, and how often housekeeping runs now (0: stopped), for the kubelet's metrics and the benchmarks. */
  housekeepingStats(): { containers: number; pids: number; statsRead: number; durationMs: number; tickMs: number } {
    return this.housekeeper.stats();
  }

  /** Runs one full housekeeping pass now (tests, and a kubelet that wants fresh numbers). */
  housekeep(): void {
    this.housekeeper.fullPass();
  }

  private track(c: Container): void {
    this.containers.set(c.id, c);
    const uid = c.record.pod.uid;
    let ofPod = this.byPod.get(uid);
    if (!ofPod) this.byPod.set(uid, (ofPod = new Map()));
    ofPod.set(c.id, c);
  }

  private execTarget(id: string): ExecTarget {
    const c = this.containers.get(id);
    if (!c) throw new Error(`an error occurred when try to find container "${id}": not found`);
    if (!c.running) throw new Error('failed to exec in container: container is in CONTAINER_EXITED state');
    return {
      pid: c.record.pid!,
      namespaces: c.record.namespaces,
      env: c.record.env,
      cwd: c.record.cwd,
      nsenter: this.tools.nsenter,
      script: this.tools.script,
      stty: this.tools.stty,
    };
  }

  /** The container's main process: the shim's child (found in the last scan, or looked up). */
  private mainProcesses(c: Container): number[] {
    // Read now, not from the last housekeeping scan: that one may predate the program's start.
    return childrenOf(c.record.pid!);
  }

  private oomKill(c: Container): void {
    c.record.killReason = 'OOMKilled';
    writeRecord(this.layout.recordFile(c.id), c.record);
    this.log.info(
      { id: c.id, pod: `${c.record.pod.namespace}/${c.record.pod.name}`, container: c.record.config.name, memoryBytes: c.memoryBytes, limitBytes: c.record.config.memoryLimitBytes },
      'container over its memory limit: killed (OOMKilled)',
    );
    c.throttle?.dispose();
    signalContainer(c.record.pid!, c.members, 'SIGKILL');
  }

  /**
   * The container's shim is gone: works out its exit code and reason, finishes its log, records
   * and announces the final status. `shim` is the shim's own exit (a child of this kubelet).
   */
  private processGone(c: Container, shim?: { code: number | null; signal: NodeJS.Signals | null }, options = { notify: true }): void {
    if (c.record.state === 'exited' || this.closed) return;
    const pid = c.record.pid!;
    // Kubernetes semantics: when a container's main process ends, everything in it ends.
    signalContainer(pid, c.members, 'SIGKILL');
    c.throttle?.dispose();
    const recorded = readExitCode(this.layout.exitFile(c.id));
    let exitCode: number;
    if (c.record.killReason === 'OOMKilled') exitCode = 137;
    else if (recorded) exitCode = recorded.code;
    else if (shim?.signal) exitCode = 128 + signalNumber(shim.signal);
    else exitCode = 137;
    const reason = c.record.killReason === 'OOMKilled' ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error';
    const finishedAt = shim ? this.clock.now() : (recorded?.at ?? this.clock.now());

    c.watcher?.close();
    c.writer?.finish();
    c.writer = undefined;
    c.stdinPipe?.destroy();
    Object.assign(c.record, { state: 'exited', exitCode, reason, finishedAt });
    c.members = [];
    writeRecord(this.layout.recordFile(c.id), c.record);
    for (const name of [this.layout.stdoutFile(c.id), this.layout.stderrFile(c.id), this.layout.logOffsetsFile(c.id)]) fs.rmSync(name, { force: true });
    c.markExited(exitCode);
    // The last container with a limit gone: back to one pass per interval (none without containers).
    if (this.housekeeper.running) this.ensureHousekeeping({ measureNow: false });
    this.log.debug({ id: c.id, container: c.record.config.name, exitCode, reason }, 'container exited');
    if (!options.notify) return;
    const status = c.status();
    for (const listener of this.exitListeners) {
      try {
        listener(status);
      } catch (error) {
        this.log.error({ err: error }, 'container exit listener failed');
      }
    }
  }

  /** Starts turning the container's output files into its CRI log, on inotify events and every tick. */
  private startLogging(c: Container, options: { fresh?: boolean } = {}): void {
    const id = c.id;
    c.writer = new CriLogWriter({
      logPath: c.record.logPath,
      fresh: options.fresh,
      sources: { stdout: this.layout.stdoutFile(id), stderr: this.layout.stderrFile(id) },
      offsetsFile: this.layout.logOffsetsFile(id),
      onAppend: () => c.notifyLog(),
      onOutput: (stream, data) => {
        for (const listener of c.outputListeners) listener(stream, data);
      },
      onError: (error) => this.log.warn({ id, container: c.record.config.name, err: error.message }, 'could not write the container log'),
    });
    try {
      c.watcher = fs.watch(this.layout.containerDir(id), (_event, name) => {
        if (name === 'stdout' || name === 'stderr') this.schedulePump(c);
        else if (name === 'exit' && !c.child) setTimeout(() => this.checkAdoptedExit(c), 20).unref();
      });
      c.watcher.on('error', () => {});
      c.watcher.unref();
    } catch {
      // no inotify: the housekeeping tick pumps
    }
    c.writer.pump();
  }

  private schedulePump(c: Container): void {
    if (c.pumpScheduled) return;
    c.pumpScheduled = true;
    setImmediate(() => {
      c.pumpScheduled = false;
      c.writer?.pump();
    });
  }

  private checkAdoptedExit(c: Container): void {
    if (c.running && !isAlive(c.record.pid!, c.record.startTime ?? 0)) this.processGone(c);
  }

  /** Times housekeeping for the running containers (and measures at once when it was not running). */
  private ensureHousekeeping(options: { measureNow?: boolean } = {}): void {
    if (!this.closed) this.housekeeper.update(options);
  }

  /** Whether busybox containers can get a private mount namespace (root, and unshare works here); says once why not. */
  private canUseNamespaces(): boolean {
    if (this.namespacesUsable === undefined) {
      let why: string | undefined;
      if (process.getuid?.() !== 0) why = 'the kubelet does not run as root';
      else if (!this.tools.unshare || !this.tools.nsenter) why = 'unshare or nsenter (util-linux) is not installed';
      else {
        const probe = spawnSync(this.tools.unshare, ['-m', '-u', 'true'], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
        if (probe.status !== 0) why = `unshare -m -u fails here: ${(probe.stderr || String(probe.error ?? '')).trim()}`;
      }
      this.namespacesUsable = why === undefined;
      if (why) this.log.warn(`busybox containers run without the pod's resolv.conf, /etc/hosts and hostname (${why}); built-in images still use the cluster DNS`);
    }
    return this.namespacesUsable;
  }
}

/** An async iterable that fails when read (readLogs of an unknown container). */
function failing(error: Error): AsyncIterable<Buffer> {
  return {
    [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }),
  };
}
