import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '@kubelab/testkit';

/**
 * The benchmark is not a timed test: this only keeps `npm run bench -- store` working, on a tiny
 * workload, and checks that it writes a complete report (figures for both servers, the goals).
 */
describe('npm run bench -- store', () => {
  it('measures the store and etcd side by side and writes the table', () => {
    const out = path.join(tempDir('bench'), 'benchmarks.md');
    const run = spawnSync(
      process.execPath,
      [path.join(ROOT, 'bench/dist/main.js'), 'store', '--operations', '2000', '--watch-rate', '500', '--watch-seconds', '1', '--out', out],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    const report = fs.readFileSync(out, 'utf8');
    expect(report).toContain('<!-- bench:store -->');
    const row = (measure: string) => report.split('\n').find((line) => line.startsWith(`| ${measure} |`))?.split('|').map((cell) => cell.trim());
    for (const measure of ['put: ops/s', 'range (one key): ops/s', 'put: server CPU s / 1,000 ops', 'watch: delivery p99 (ms)', 'idle RSS after start (MB)']) {
      const cells = row(measure);
      expect(cells, measure).toBeDefined();
      expect(Number(cells![2]), `${measure}, kubelab`).toBeGreaterThan(0);
      expect(Number(cells![3]), `${measure}, etcd`).toBeGreaterThan(0);
    }
    expect(report).toMatch(/Idle store RSS < 80 MB: [\d.]+ MB/);
  });

  it('measures the apiserver beside the raw store and writes its table (npm run bench -- apiserver)', () => {
    const out = path.join(tempDir('bench'), 'benchmarks.md');
    const run = spawnSync(process.execPath, [path.join(ROOT, 'bench/dist/main.js'), 'apiserver', '--creates', '300', '--warmup', '200', '--list-pods', '2000', '--out', out], { encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    const report = fs.readFileSync(out, 'utf8');
    expect(report).toContain('<!-- bench:apiserver -->');
    expect(report).toMatch(/^\| pod create through the REST API: creates\/s \| \d+ \|/m);
    expect(report).toMatch(/^\| LIST of 2,000 pods, p50 \/ max of 5 \(ms\) \| [\d.]+ \/ [\d.]+ \|/m);
  });

  it('refuses a bad option with a clear message', () => {
    const run = spawnSync(process.execPath, [path.join(ROOT, 'bench/dist/main.js'), 'store', '--operations', 'many'], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('--operations needs a positive whole number, not "many"');
  });
});
