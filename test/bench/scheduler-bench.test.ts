import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '@kubelab/testkit';

/**
 * The benchmark is not a timed test: this only keeps `npm run bench -- scheduler` working, on a
 * tiny cluster, and checks that it writes a complete report in which every pod got bound where
 * its constraints allow.
 */
describe('npm run bench -- scheduler', () => {
  it('schedules both workloads on simulated nodes and writes the table', () => {
    const out = path.join(tempDir('bench'), 'benchmarks.md');
    const run = spawnSync(process.execPath, [path.join(ROOT, 'bench/dist/main.js'), 'scheduler', '--nodes', '20', '--pods', '30', '--out', out], { encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    const report = fs.readFileSync(out, 'utf8');
    expect(report).toContain('<!-- bench:scheduler -->');
    expect(report).toContain('Command: `npm run bench -- scheduler --nodes 20 --pods 30`');
    const row = (measure: string) => {
      const cells = report.split('\n').find((line) => line.startsWith(`| ${measure} |`))?.split('|').map((cell) => cell.trim());
      expect(cells, measure).toBeDefined();
      return [cells![2]!, cells![3]!];
    };
    for (const rate of row('pods bound per second, first → last binding')) expect(Number(rate)).toBeGreaterThan(0);
    expect(row('goal of issue 4 (pods/s)')).toEqual([expect.stringMatching(/^≥ 500: (met|\*\*not met\*\*)$/), expect.stringMatching(/^≥ 150: (met|\*\*not met\*\*)$/)]);
    expect(row("Kubernetes' scheduler_perf floor (pods/s)")).toEqual(['270 (SchedulingBasic, 5,000 nodes)', '85 (TopologySpreading, 5,000 nodes)']);
    for (const latency of row('create → bound latency p50 / p99 (ms), 30 pods one at a time')) expect(latency).toMatch(/^[\d.]+ \/ [\d.]+$/);
    // The 30 pods of the backlog and the 30 created one at a time, in each workload.
    expect(row('pods bound')).toEqual(['60 / 60', '60 / 60']);
    expect(row('scheduling attempts: scheduled / unschedulable / error')).toEqual(['60 / 0 / 0', '60 / 0 / 0']);
    expect(row('pods placed against their own constraints')).toEqual(['0', '0']);
  }, 120_000);

  it('refuses a bad --nodes with a clear message', () => {
    const run = spawnSync(process.execPath, [path.join(ROOT, 'bench/dist/main.js'), 'scheduler', '--nodes', '0'], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('--nodes needs a positive whole number, not "0"');
  });
});
