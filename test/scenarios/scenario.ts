import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'vitest';
import { kubectl } from '@kubelab/testkit';

/**
 * The scenario manifests live in ../shared beside the repository (as in CI); a clone on its own
 * uses the copies in test/fixtures.
 */
const SHARED = path.resolve(__dirname, '../../../shared/scenarios/manifests');

export function scenarioManifest(name: string): string {
  const shared = path.join(SHARED, name);
  return fs.existsSync(shared) ? shared : path.resolve(__dirname, '../fixtures', name);
}

/** The rows of a kubectl table as arrays of cells (columns split on runs of 2+ spaces). */
export function table(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s{2,}/));
}

/** The real kubectl against one apiserver, with the helpers every scenario uses. */
export function kubectlSession(kubeconfig: () => string) {
  const k = (...args: string[]) => kubectl(kubeconfig(), args);
  /** Runs kubectl and fails the test on anything on stderr. */
  const ok = (...args: string[]) => {
    const r = k(...args);
    expect(r.stderr, `kubectl ${args.join(' ')}`).toBe('');
    return r.stdout;
  };
  /** `kubectl apply -f -` of a manifest. */
  const apply = (yaml: string) => {
    const r = kubectl(kubeconfig(), ['apply', '-f', '-'], { input: yaml });
    expect(r.stderr).toBe('');
    return r.stdout;
  };
  /** A table's rows; [] when kubectl says "No resources found". */
  const rows = (...args: string[]) => table(k(...args).stdout).filter((r) => r[0]);
  return { k, ok, apply, rows };
}

/**
 * What a supervisor of the lab records when it starts a process again: the new pid and its start
 * time (field 22 of /proc/<pid>/stat), as `kubelab up` records them in lab.json (same boot), so
 * that `kubelab down` knows the new process for the lab's.
 */
export function restartedProcess<T extends { pid: number; startTime?: number }>(entry: T, pid: number): T {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  const startTime = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  return { ...entry, pid, ...(entry.startTime !== undefined ? { startTime } : {}) };
}

/** A process of a lab as lab.json records it. */
export interface LabProcess {
  name: string;
  pid: number;
  startTime?: number;
  healthUrl: string;
  logFile: string;
}

/**
 * A process of the lab in `dir`, with what starts it again as it was started (its argv and
 * environment, read from /proc while it runs): `startAgain` spawns it, with `extraArgs` after its
 * own, logging to its log file, and records the new process in lab.json as a supervisor would,
 * so that `kubelab down` stops it.
 */
export function labProcess(dir: string, name: string): { entry: LabProcess; startAgain(extraArgs?: string[]): number } {
  const labFile = path.join(dir, 'lab.json');
  const lab = JSON.parse(fs.readFileSync(labFile, 'utf8')) as { processes: LabProcess[] };
  const entry = lab.processes.find((p) => p.name === name);
  if (!entry) throw new Error(`no process ${name} in ${labFile}`);
  const argv = fs.readFileSync(`/proc/${entry.pid}/cmdline`, 'utf8').replace(/\0$/, '').split('\0');
  const env = Object.fromEntries(
    fs
      .readFileSync(`/proc/${entry.pid}/environ`, 'utf8')
      .split('\0')
      .filter((e) => e.includes('='))
      .map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
  );
  return {
    entry,
    startAgain: (extraArgs = []) => {
      const fd = fs.openSync(entry.logFile, 'a');
      const child = spawn(argv[0]!, [...argv.slice(1), ...extraArgs], { env, detached: true, stdio: ['ignore', fd, fd] });
      fs.closeSync(fd);
      child.unref();
      Object.assign(entry, restartedProcess(entry, child.pid!));
      fs.writeFileSync(labFile, JSON.stringify(lab, null, 2));
      return child.pid!;
    },
  };
}
