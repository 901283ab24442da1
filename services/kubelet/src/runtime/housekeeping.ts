import type { Clock } from '@kubelab/client';
import type { Logger } from '@kubelab/component-base';
import type { Container } from './container';
import { CpuThrottle } from './cpu-throttle';
import { treeCpuNs } from './cpu-usage';
import { HousekeepingSchedule } from './housekeeping-schedule';
import { chargedMemoryBytes } from './memory';
import { procConstants, readSchedRuntimeNs } from './proc-stat';
import { ProcScanner, type ProcessTree } from './proc-scanner';
import { signalContainer } from './signals';

/** A container whose output inotify reports is pumped by the fallback 10 times less often (an event is seldom missed). */
const WATCHED_PUMP_FACTOR = 10;

export interface HousekeeperOptions {
  /** --housekeeping-interval: every container is measured this often; those with a limit every min(this, 250 ms). */
  intervalMs: number;
  clock: Clock;
  log: Logger;
  /** Every container the runtime knows (running or not). */
  containers(): Iterable<Container>;
  /** The Node.js baseline a 'node' container is not charged (memory.ts). */
  baselineBytes(): number;
  /** A container that is not this kubelet's child has gone (its child's exit event reports the others). */
  gone(c: Container): void;
  /** A container is over its memory limit. */
  oomKill(c: Container): void;
}

/**
 * The runtime's housekeeping (cadvisor's, without cgroups): measures every container's process
 * tree in /proc once per interval (proc-scanner.ts) for its stats, the exit of containers this
 * kubelet did not start, and the log pump's fallback; enforces memory limits (OOMKilled) and CPU
 * limits (cpu-throttle.ts). Containers with a limit are measured more often in between, by a
 * scan of their processes only (housekeeping-schedule.ts says when).
 */
export class Housekeeper {
  private readonly scanner = new ProcScanner();
  /** Between full passes: the processes of the containers with a limit only. */
  private readonly limitScanner = new ProcScanner();
  private readonly schedule: HousekeepingSchedule;
  /** Full passes between two log pumps of the fallback: about once a second, or every 10 s for a container whose output inotify reports. */
  private readonly pumpEvery: number;
  private passes = 0;

  constructor(private readonly options: HousekeeperOptions) {
    const intervalMs = Math.max(10, options.intervalMs);
    this.pumpEvery = Math.max(1, Math.round(1_000 / intervalMs));
    this.schedule = new HousekeepingSchedule({
      intervalMs,
      limitCheckMs: Math.min(intervalMs, 250),
      run: (pass) => {
        try {
          if (pass === 'full') this.fullPass();
          else this.checkLimits();
        } catch (error) {
          this.options.log.error({ err: error }, 'housekeeping failed');
        }
      },
    });
  }

  get running(): boolean {
    return this.schedule.running;
  }

  /** The cost of the last full scan, and how often housekeeping runs now (0: stopped). */
  stats(): { containers: number; pids: number; statsRead: number; durationMs: number; tickMs: number } {
    return { containers: this.runningContainers().length, ...this.scanner.lastScan, tickMs: this.schedule.tickMs };
  }

  /** Times housekeeping for the running containers; arming it from stopped measures at once unless `measureNow` is false. */
  update(options: { measureNow?: boolean } = {}): void {
    let running = 0;
    let limited = 0;
    for (const c of this.options.containers()) {
      if (!c.running) continue;
      running++;
      if (hasLimit(c)) limited++;
    }
    this.schedule.update(running, limited, options);
  }

  /** Measures every running container now. */
  fullPass(): void {
    this.schedule.ranFull();
    const running = this.runningContainers();
    if (running.length === 0) return this.stop();
    // Output is pumped on inotify events; the pass is the fallback (a missed event), and the only
    // pump of a container that has no watch.
    const pass = this.passes++;
    const pumpUnwatched = pass % this.pumpEvery === 0;
    const pumpWatched = pass % (this.pumpEvery * WATCHED_PUMP_FACTOR) === 0;
    const trees = this.scanner.scan(running.map(rootOf));
    const now = this.options.clock.now();
    const at = performance.now();
    for (const c of running) {
      const tree = trees.get(c.record.pid!)!;
      c.members = tree.members;
      if ((c.watcher ? pumpWatched : pumpUnwatched) || !tree.alive) c.writer?.pump();
      if (!tree.alive) {
        // A child of this kubelet reports its exit itself; any other container is gone now.
        if (!c.child) this.options.gone(c);
        continue;
      }
      this.measure(c, tree, now, at);
    }
  }

  /** Stops the timer and closes the stat files the scans keep open. */
  stop(): void {
    this.schedule.stop();
    this.scanner.close();
    this.limitScanner.close();
  }

  /** Between full passes: measures only the containers with a memory or CPU limit, and enforces it. */
  private checkLimits(): void {
    const limited = this.runningContainers().filter(hasLimit);
    if (limited.length === 0) return this.limitScanner.close();
    const trees = this.limitScanner.scan(limited.map(rootOf));
    const now = this.options.clock.now();
    const at = performance.now();
    for (const c of limited) {
      const tree = trees.get(c.record.pid!)!;
      // An exit is the full pass's business (or the child's own exit event).
      if (!tree.alive) continue;
      c.members = tree.members;
      this.measure(c, tree, now, at);
    }
  }

  /** One measurement of a live container: memory, CPU, and its limits. */
  private measure(c: Container, tree: ProcessTree, now: number, at: number): void {
    const { clockTicksPerSecond, pageSize } = procConstants();
    c.memoryBytes = chargedMemoryBytes(tree.members, c.record.pid!, c.record.runtime, this.options.baselineBytes(), pageSize);
    c.cpu.add(at, treeCpuNs(tree.members, clockTicksPerSecond));
    c.measuredAt = now;
    const limit = c.record.config.memoryLimitBytes;
    if (limit !== undefined && limit > 0 && c.memoryBytes > limit && c.record.killReason === undefined) {
      this.options.oomKill(c);
      return;
    }
    const cpuLimit = c.record.config.cpuLimitMillis;
    if (cpuLimit !== undefined && cpuLimit > 0) {
      c.throttle ??= newThrottle(c, cpuLimit);
      c.throttle.observe(c.cpu.latestNanoCores);
    }
  }

  private runningContainers(): Container[] {
    const running: Container[] = [];
    for (const c of this.options.containers()) if (c.running && c.record.pid !== undefined) running.push(c);
    return running;
  }
}

/** The throttle of a container with a CPU limit: SIGSTOP / SIGCONT its processes, usage from schedstat. */
function newThrottle(c: Container, limitMillis: number): CpuThrottle {
  const pid = c.record.pid!;
  return new CpuThrottle(limitMillis, {
    usageNs: () => {
      let ns = 0;
      for (const m of c.members) ns += readSchedRuntimeNs(m.pid) ?? 0;
      return ns;
    },
    stop: () => signalContainer(pid, c.members, 'SIGSTOP'),
    cont: () => signalContainer(pid, c.members, 'SIGCONT'),
  });
}

/** The container's root process, as the scanner wants it. */
function rootOf(c: Container): { pid: number; startTime: number } {
  return { pid: c.record.pid!, startTime: c.record.startTime ?? 0 };
}

/** A memory or CPU limit: checked between full passes too. */
function hasLimit(c: Container): boolean {
  const { memoryLimitBytes, cpuLimitMillis } = c.record.config;
  return (memoryLimitBytes !== undefined && memoryLimitBytes > 0) || (cpuLimitMillis !== undefined && cpuLimitMillis > 0);
}
