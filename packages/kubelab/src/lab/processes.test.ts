import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { down } from './down';
import { bootId, identify, isAlive, terminate, waitUntilHealthy } from './processes';
import { writeState } from './state';

const children: ChildProcess[] = [];
const servers: http.Server[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  vi.restoreAllMocks();
});

/** A Node.js child running `script`; its stdout collected in `out()`. */
function child(script: string): { proc: ChildProcess; pid: number; out: () => string } {
  const proc = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(proc);
  let out = '';
  proc.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return { proc, pid: proc.pid!, out: () => out };
}

/** An HTTP server of this test process answering 200 on 127.0.0.1: "another process" for the children. */
async function answering(): Promise<number> {
  const server = http.createServer((_req, res) => res.end('ok'));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

function procState(pid: number): string | undefined {
  try {
    const line = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return line.slice(line.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

const tempLab = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kubelab-processes-test-'));

describe('waiting for a process to become healthy', () => {
  it('fails once the process has exited, even though another process answers at its health URL', async () => {
    const port = await answering();
    // It cannot bind the port the test holds, and exits.
    const c = child(`require('node:net').createServer().listen(${port}, '127.0.0.1')`);
    await expect(waitUntilHealthy(identify(c.pid), `http://127.0.0.1:${port}/healthz`, 20_000, 'it to become healthy')).rejects.toThrow(
      `gave up waiting for it to become healthy: it exited, and another process answers at http://127.0.0.1:${port}/healthz`,
    );
  });

  it('does not take an answer from another process for the one it started', async () => {
    const port = await answering();
    const c = child('setInterval(() => {}, 1000)');
    await expect(waitUntilHealthy(identify(c.pid), `http://127.0.0.1:${port}/healthz`, 1_000, 'it')).rejects.toThrow(
      `timed out after 1000 ms waiting for it: another process answers at http://127.0.0.1:${port}/healthz, not pid ${c.pid}`,
    );
  });

  it('returns once the process itself answers', async () => {
    const c = child(`const s = require('node:http').createServer((q, r) => r.end('ok')).listen(0, '127.0.0.1', () => console.log('port ' + s.address().port))`);
    const port = await waitFor(() => /port (\d+)/.exec(c.out())?.[1], { timeoutMs: 10_000, what: 'the child to listen' });
    await waitUntilHealthy(identify(c.pid), `http://127.0.0.1:${port}/healthz`, 10_000, 'it');
  });
});

describe('the identity of a recorded process', () => {
  it('is alive only while the same process runs: same pid, start time and boot', async () => {
    const c = child('setInterval(() => {}, 1000)');
    const me = identify(c.pid);
    expect(me.startTime).toEqual(expect.any(Number));
    expect(me.bootId).toBe(fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
    expect(isAlive(me)).toBe(true);
    // Another process that got the pid (it started at another time, or in another boot).
    expect(isAlive({ ...me, startTime: me.startTime! - 1 })).toBe(false);
    expect(isAlive({ ...me, bootId: '00000000-0000-0000-0000-000000000000' })).toBe(false);
    // A lab.json of an older kubelab: the pid alone.
    expect(isAlive({ pid: c.pid })).toBe(true);
    c.proc.kill('SIGKILL');
    await waitFor(() => !isAlive(me), { timeoutMs: 5_000, what: 'the child to be gone' });
    expect(isAlive({ pid: c.pid })).toBe(false);
  });

  it('down leaves alone a process that only has the pid of a recorded one (after a reboot or a container restart)', async () => {
    const c = child('setInterval(() => {}, 1000)');
    const other = child('setInterval(() => {}, 1000)');
    const dir = tempLab();
    const [real, otherReal] = [identify(c.pid), identify(other.pid)];
    const record = { address: 'http://127.0.0.1:1', healthUrl: 'http://127.0.0.1:1/healthz', logFile: path.join(dir, 'x.log') };
    writeState({
      dir,
      profile: 'fast',
      startedAt: new Date().toISOString(),
      processes: [
        { name: 'store', pid: c.pid, startTime: real.startTime! + 7, bootId: bootId(), ...record },
        { name: 'apiserver', pid: other.pid, startTime: otherReal.startTime, bootId: 'a-boot-before', ...record },
      ],
    });
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
    expect(await down(dir)).toBe(0);
    expect(out.join('')).toContain(`store (pid ${c.pid}): not running\n`);
    expect(out.join('')).toContain(`apiserver (pid ${other.pid}): not running\n`);
    expect(isAlive(real)).toBe(true);
    expect(isAlive(otherReal)).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('terminate', () => {
  it('stops a paused (SIGSTOP) process at once: SIGCONT after SIGTERM, instead of waiting out the grace and killing it', async () => {
    const c = child(`process.on('SIGTERM', () => process.exit(0)); console.log('ready'); setInterval(() => {}, 1000)`);
    await waitFor(() => c.out().includes('ready'), { timeoutMs: 10_000, what: 'the child to handle SIGTERM' });
    process.kill(c.pid, 'SIGSTOP');
    await waitFor(() => procState(c.pid) === 'T', { timeoutMs: 5_000, what: 'the child to be stopped' });
    expect(await terminate(identify(c.pid), 5_000)).toBe('stopped');
    await waitFor(() => c.proc.exitCode !== null, { timeoutMs: 5_000, what: 'the exit to be reaped' });
    expect(c.proc.exitCode).toBe(0);
  });
});
