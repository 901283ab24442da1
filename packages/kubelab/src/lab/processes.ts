import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GiveUp, waitFor } from '@kubelab/component-base';

/**
 * What names one process across time: its pid, when it started (field 22 of /proc/<pid>/stat, in
 * clock ticks since boot) and the boot it started in (/proc/sys/kernel/random/boot_id). After a
 * reboot or a container restart the pid of an old lab.json may be another process's: the start
 * time and boot tell them apart. Without them (a lab.json of an older kubelab, or no /proc), the
 * pid alone.
 */
export interface ProcessIdentity {
  pid: number;
  startTime?: number;
  bootId?: string;
}

/** Starts a process in its own session, detached from the terminal, stdout and stderr to its log file. */
export function spawnDetached(command: string, args: string[], logFile: string): ProcessIdentity {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const fd = fs.openSync(logFile, 'a');
  try {
    const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd] });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    child.unref();
    return identify(child.pid);
  } finally {
    fs.closeSync(fd);
  }
}

/** The identity of the process that has `pid` now (only the pid where /proc cannot tell more). */
export function identify(pid: number): ProcessIdentity {
  const stat = readStat(pid);
  const boot = bootId();
  return { pid, ...(stat ? { startTime: stat.startTime } : {}), ...(stat && boot ? { bootId: boot } : {}) };
}

let currentBootId: string | undefined | null = null;

/** This boot's id (a new one at every boot); undefined without /proc. */
export function bootId(): string | undefined {
  if (currentBootId === null) {
    try {
      currentBootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
    } catch {
      currentBootId = undefined;
    }
  }
  return currentBootId;
}

/** State (field 3) and start time (field 22) of /proc/<pid>/stat; undefined if there is no such process (or no /proc). */
function readStat(pid: number): { state: string; startTime: number } | undefined {
  let line: string;
  try {
    line = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // comm (field 2) may hold spaces and parentheses: count the fields after its last ')'. f[0] is field 3.
  const f = line.slice(line.lastIndexOf(')') + 2).split(' ');
  const startTime = Number(f[19]);
  return f.length >= 20 && Number.isInteger(startTime) ? { state: f[0]!, startTime } : undefined;
}

/**
 * Whether the process recorded as `p` still runs: the same pid, started at the same time in the
 * same boot, and not a zombie. A record without start time (older lab.json) is checked by pid only.
 */
export function isAlive(p: ProcessIdentity): boolean {
  if (p.startTime === undefined) return pidAlive(p.pid);
  if (p.bootId !== undefined && bootId() !== undefined && p.bootId !== bootId()) return false;
  const stat = readStat(p.pid);
  return stat !== undefined && stat.startTime === p.startTime && stat.state !== 'Z' && stat.state !== 'X';
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = readStat(pid);
  return stat === undefined || (stat.state !== 'Z' && stat.state !== 'X');
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // exited meanwhile
  }
}

/**
 * SIGTERM and SIGCONT (a stopped process keeps SIGTERM pending until it runs again: systemd does
 * the same), wait up to `graceMs` for the exit, then SIGKILL. Returns how it ended.
 */
export async function terminate(p: ProcessIdentity, graceMs = 10_000): Promise<'stopped' | 'killed' | 'not running'> {
  if (!isAlive(p)) return 'not running';
  signal(p.pid, 'SIGTERM');
  signal(p.pid, 'SIGCONT');
  try {
    await waitFor(() => !isAlive(p), { timeoutMs: graceMs, intervalMs: 50, what: `pid ${p.pid} to exit` });
    return 'stopped';
  } catch {
    if (isAlive(p)) signal(p.pid, 'SIGKILL');
    await waitFor(() => !isAlive(p), { timeoutMs: 5_000, intervalMs: 50, what: `pid ${p.pid} to die` });
    return 'killed';
  }
}

/**
 * Whether `pid` holds the TCP socket listening on host:port (or on the wildcard address at that
 * port): then whatever answers there is this process. undefined where /proc cannot tell.
 */
export function listensOn(pid: number, host: string, port: number): boolean | undefined {
  let fds: string[];
  try {
    fds = fs.readdirSync(`/proc/${pid}/fd`);
  } catch {
    return isAlive({ pid }) ? undefined : false;
  }
  const inodes = new Set<string>();
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  const hostHex = ipv4Hex(host);
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(`/proc/${pid}/net/${table}`, 'latin1');
    } catch {
      if (table === 'tcp') return undefined;
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '0A' || !inodes.has(f[9]!)) continue;
      const [address, portHex] = f[1]!.split(':');
      if (parseInt(portHex!, 16) !== port) continue;
      if (table === 'tcp6' || hostHex === undefined || address === hostHex || address === '00000000') return true;
    }
  }
  return false;
}

/** An IPv4 address as /proc/net/tcp writes it: the four bytes in host (little-endian) order, in hex. */
function ipv4Hex(ip: string): string | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) return undefined;
  return parts
    .reverse()
    .map((n) => n.toString(16).toUpperCase().padStart(2, '0'))
    .join('');
}

/**
 * Waits until the process `p` answers healthy at `healthUrl`. The answer must be its own: it fails
 * as soon as the process has exited (typically because the port was taken: then another server
 * answers there), keeps waiting while the port is held by another process, and checks again that
 * the process runs after the answer.
 */
export async function waitUntilHealthy(p: ProcessIdentity, healthUrl: string, timeoutMs: number, what: string): Promise<void> {
  const url = new URL(healthUrl);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  let foreign = false;
  await waitFor(
    async () => {
      if (!isAlive(p)) throw new GiveUp(foreign ? `it exited, and another process answers at ${healthUrl}` : 'it exited');
      if (!(await isHealthy(healthUrl))) return false;
      if (listensOn(p.pid, url.hostname, port) === false) {
        foreign = true;
        throw new Error(`another process answers at ${healthUrl}, not pid ${p.pid}`);
      }
      // The answer may have come before the process failed: it must still run after it.
      if (!isAlive(p)) throw new GiveUp(foreign ? `it exited, and another process answers at ${healthUrl}` : 'it exited');
      return true;
    },
    { timeoutMs, intervalMs: 100, what },
  );
}

export async function isHealthy(url: string, timeoutMs = 1_000): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return response.ok;
  } catch {
    return false;
  }
}

/** Finds an executable on PATH (and the sbin folders, where Debian puts nats-server). */
export function findExecutable(name: string): string | undefined {
  if (name.includes('/')) return isExecutable(name) ? name : undefined;
  const dirs = [...(process.env['PATH'] ?? '').split(':'), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export function tail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
