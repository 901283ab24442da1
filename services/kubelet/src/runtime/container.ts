import type { ChildProcess } from 'node:child_process';
import type { FSWatcher } from 'node:fs';
import type { Writable } from 'node:stream';
import { CpuUsage } from './cpu-usage';
import type { CpuThrottle } from './cpu-throttle';
import type { CriLogWriter, LogStream } from './cri-log-writer';
import type { ProcStat } from './proc-stat';
import type { ContainerRecord } from './records';
import type { ContainerStats, ContainerStatus } from './types';

/**
 * One container as the runtime tracks it in memory: its record (what is on disk), and what lives
 * only in this kubelet: the child process handle (if this kubelet started it), the stdin pipe, the
 * log writer, the last measurement and the CPU throttle.
 */
export class Container {
  child?: ChildProcess;
  stdinPipe?: Writable;
  writer?: CriLogWriter;
  watcher?: FSWatcher;
  throttle?: CpuThrottle;
  pumpScheduled = false;
  /** Its processes, from the last housekeeping scan. */
  members: ProcStat[] = [];
  readonly cpu = new CpuUsage();
  memoryBytes = 0;
  measuredAt: number | undefined;
  readonly outputListeners = new Set<(stream: LogStream, data: Buffer) => void>();
  private logWaiters = new Set<() => void>();
  private resolveExit!: (code: number) => void;
  /** Resolves with the exit code once the container has exited and its log is complete. */
  readonly exited = new Promise<number>((resolve) => (this.resolveExit = resolve));

  constructor(public record: ContainerRecord) {}

  get id(): string {
    return this.record.id;
  }

  get running(): boolean {
    return this.record.state === 'running';
  }

  /** Wakes the readers following its log. */
  notifyLog(): void {
    const waiters = [...this.logWaiters];
    this.logWaiters.clear();
    for (const wake of waiters) wake();
  }

  /** Resolves when its log grows, it exits, `signal` aborts, or after `maxWaitMs`. */
  logChanged(signal: AbortSignal, maxWaitMs = 1_000): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.logWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, maxWaitMs);
      signal.addEventListener('abort', done, { once: true });
      this.logWaiters.add(done);
    });
  }

  markExited(code: number): void {
    this.resolveExit(code);
    this.notifyLog();
  }

  status(): ContainerStatus {
    const r = this.record;
    return {
      id: r.id,
      podUid: r.pod.uid,
      podNamespace: r.pod.namespace,
      podName: r.pod.name,
      name: r.config.name,
      attempt: r.config.attempt,
      state: r.state,
      pid: r.state === 'running' ? r.pid : undefined,
      image: r.config.image,
      imageRef: r.imageRef,
      createdAt: new Date(r.createdAt),
      startedAt: r.startedAt !== undefined ? new Date(r.startedAt) : undefined,
      finishedAt: r.finishedAt !== undefined ? new Date(r.finishedAt) : undefined,
      exitCode: r.exitCode,
      reason: r.reason,
      message: r.message,
      logPath: r.logPath,
    };
  }

  stats(): ContainerStats | undefined {
    if (!this.running || this.measuredAt === undefined) return undefined;
    return {
      cpuUsageNanoCores: this.cpu.nanoCores,
      cpuUsageCoreNanoSeconds: this.cpu.coreNanoSeconds,
      memoryWorkingSetBytes: this.memoryBytes,
      timestamp: new Date(this.measuredAt),
    };
  }
}
