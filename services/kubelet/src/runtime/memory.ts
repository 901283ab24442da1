import type { ProcStat } from './proc-stat';

/**
 * The memory charged to a container: the RSS of its processes (the shim, the runtime's own
 * waiter, not counted), minus for a Node.js image the Node.js runtime's fixed baseline
 * (node-baseline.ts), as a small native image would be counted. Over the container's memory
 * limit, the runtime kills it: OOMKilled, exit code 137.
 */
export function chargedMemoryBytes(
  members: readonly ProcStat[],
  shimPid: number,
  runtime: 'node' | 'native',
  nodeBaselineBytes: number,
  pageSize: number,
): number {
  let pages = 0;
  for (const p of members) if (p.pid !== shimPid) pages += p.rssPages;
  const rss = pages * pageSize;
  return Math.max(0, runtime === 'node' ? rss - nodeBaselineBytes : rss);
}
