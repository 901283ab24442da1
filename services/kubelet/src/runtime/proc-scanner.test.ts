import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { ProcScanner } from './proc-scanner';
import { readProcStat } from './proc-stat';
import { RuntimeHarness, testContainer, testPod } from './testdata/harness';

const harness = new RuntimeHarness();
const spawned: number[] = [];
afterEach(async () => {
  for (const pid of spawned.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  await harness.cleanup();
});

describe('ProcScanner', () => {
  it("finds a container's descendants, and its daemonized children by their session", async () => {
    // A session leader with a child, a grandchild, and a daemon reparented away from it (sh exits its subshell).
    const leader = spawn('busybox', ['sh', '-c', '(sleep 30 &) ; sh -c "sleep 30; true"; true'], { detached: true, stdio: 'ignore' });
    spawned.push(leader.pid!);
    const root = { pid: leader.pid!, startTime: readProcStat(leader.pid!)!.startTime };
    const scanner = new ProcScanner();
    const tree = await waitFor(() => {
      const t = scanner.scan([root]).get(root.pid)!;
      return t.members.length === 4 ? t : undefined;
    }, { what: 'four processes' });
    expect(tree.alive).toBe(true);
    const daemon = tree.members.find((m) => m.pid !== root.pid && m.ppid !== root.pid && !tree.members.some((p) => p.pid === m.ppid));
    expect(daemon).toBeDefined();
  });

  it('a root whose pid now names another process is not alive', () => {
    const stat = readProcStat(process.pid)!;
    const tree = new ProcScanner().scan([{ pid: process.pid, startTime: stat.startTime - 1 }]).get(process.pid)!;
    expect(tree.alive).toBe(false);
  });

  it('50 containers: after the first pass a tick reads only their processes and the new ones', async () => {
    const runtime = harness.runtime({ housekeepingIntervalMs: 60_000 });
    const pod = testPod('many');
    for (let i = 0; i < 50; i++) await runtime.startContainer(pod, testContainer(`c${i}`, 'busybox', { command: ['sleep', '60'] }));
    const costs: number[] = [];
    for (let i = 0; i < 10; i++) {
      runtime.housekeep();
      costs.push(runtime.housekeepingStats().durationMs);
    }
    const last = runtime.housekeepingStats();
    expect(last.containers).toBe(50);
    // 50 shims and 50 sleeps, plus whatever processes appeared meanwhile on this shared machine.
    expect(last.statsRead).toBeGreaterThanOrEqual(100);
    expect(last.statsRead).toBeLessThan(100 + 40);
    costs.sort((a, b) => a - b);
    console.log(`housekeeping with 50 containers: ${last.pids} pids on the machine, ${last.statsRead} stat files read, median ${costs[5]!.toFixed(2)} ms per tick`);
    expect(runtime.listContainers().every((c) => c.state === 'running')).toBe(true);
    expect(runtime.stats(runtime.listContainers()[0]!.id)!.memoryWorkingSetBytes).toBeGreaterThan(0);
  });
});
