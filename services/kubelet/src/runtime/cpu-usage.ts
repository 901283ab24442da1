import type { ProcStat } from './proc-stat';

/**
 * CPU time of a process tree, in nanoseconds: user + system time of every live process, plus the
 * time of the children each has reaped (cutime/cstime), so a short-lived child's CPU is not lost.
 */
export function treeCpuNs(members: ProcStat[], clockTicksPerSecond: number): number {
  let ticks = 0;
  for (const p of members) ticks += p.utime + p.stime + p.cutime + p.cstime;
  return (ticks * 1e9) / clockTicksPerSecond;
}

interface Sample {
  atMs: number;
  totalNs: number;
}

/**
 * A container's CPU usage as the kubelet's summary reports it: cumulative core-nanoseconds since
 * it started (never decreasing: a process that leaves the tree takes its time with it, and that
 * drop is not subtracted), and nanocores over the recent window (at least `windowMs`, so
 * measurements in 10 ms clock ticks are not too coarse).
 */
export class CpuUsage {
  private samples: Sample[] = [];
  private lastRaw: number | undefined;
  private total = 0;

  constructor(private readonly windowMs = 1_000) {}

  /** Adds a measurement of the tree's CPU time (treeCpuNs) at `atMs`. */
  add(atMs: number, rawNs: number): void {
    if (this.lastRaw !== undefined) this.total += Math.max(0, rawNs - this.lastRaw);
    this.lastRaw = rawNs;
    this.samples.push({ atMs, totalNs: this.total });
    while (this.samples.length > 2 && atMs - this.samples[1]!.atMs >= this.windowMs) this.samples.shift();
  }

  get coreNanoSeconds(): number {
    return this.total;
  }

  /** Nanocores (1e9 = one core) from the oldest sample in the window to the latest. */
  get nanoCores(): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.atMs <= first.atMs) return 0;
    return Math.round(((last.totalNs - first.totalNs) / ((last.atMs - first.atMs) * 1e6)) * 1e9);
  }

  /** Nanocores over the last two samples only (the throttle's quick look). */
  get latestNanoCores(): number {
    const a = this.samples[this.samples.length - 2];
    const b = this.samples[this.samples.length - 1];
    if (!a || !b || b.atMs <= a.atMs) return 0;
    return Math.round(((b.totalNs - a.totalNs) / ((b.atMs - a.atMs) * 1e6)) * 1e9);
  }
}
