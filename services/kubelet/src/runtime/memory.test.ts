import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { chargedMemoryBytes, readAnonymousPages } from './memory';
import type { ProcStat } from './proc-stat';

const PAGE = 4096;
const proc = (pid: number, ppid: number, rssPages: number): ProcStat => ({ pid, ppid, rssPages, state: 'S', pgrp: 1, session: 1, utime: 0, stime: 0, cutime: 0, cstime: 0, startTime: 0 });

describe('chargedMemoryBytes', () => {
  const anon = new Map([
    [11, 40],
    [12, 30],
    [13, 500],
  ]);
  const privatePages = (pid: number) => anon.get(pid) ?? 0;

  it('charges the main process whole, the others only their private pages, and the shim nothing', () => {
    // shim 10 → main 11 (RSS 600 pages) → forks 12 and 13 (RSS 550 each, mostly shared with 11).
    const members = [proc(10, 1, 300), proc(11, 10, 600), proc(12, 11, 550), proc(13, 11, 550)];
    expect(chargedMemoryBytes(members, 10, 'native', 0, PAGE, privatePages)).toBe((600 + 30 + 500) * PAGE);
  });

  it('takes a Node.js image runtime baseline off, never below zero', () => {
    const members = [proc(10, 1, 300), proc(11, 10, 5_000)];
    expect(chargedMemoryBytes(members, 10, 'node', 4_000 * PAGE, PAGE, privatePages)).toBe(1_000 * PAGE);
    expect(chargedMemoryBytes(members, 10, 'node', 6_000 * PAGE, PAGE, privatePages)).toBe(0);
  });
});

describe('readAnonymousPages', () => {
  let child: ChildProcess | undefined;
  afterEach(() => child?.kill('SIGKILL'));

  it('reads a live process private pages, fewer than its resident set; 0 for a process that is gone', async () => {
    // A process that has written 8 MiB of its own memory.
    child = spawn(process.execPath, ['-e', "const b = Buffer.alloc(8 << 20, 1); process.stdout.write('ready'); setInterval(() => b[0]++, 1000)"], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve) => child!.stdout!.once('data', resolve));
    const pages = readAnonymousPages(child.pid!);
    expect(pages * PAGE).toBeGreaterThan(8 << 20);
    expect(readAnonymousPages(2 ** 22 + 12345)).toBe(0);
  });
});
