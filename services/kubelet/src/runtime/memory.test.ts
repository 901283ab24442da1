import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { chargedMemoryBytes, readPrivatePages } from './memory';
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

describe('readPrivatePages', () => {
  let child: ChildProcess | undefined;
  // The shell, its subshell and the subshell's sleep: the whole process group.
  afterEach(() => child?.pid && process.kill(-child.pid, 'SIGKILL'));

  it('counts what a process alone maps, not what a fork still shares with its parent; 0 for a process that is gone', async () => {
    // A shell that holds about 20 MB, and a subshell forked from it that has written nothing since.
    const script = 'x=$(head -c 20000000 /dev/zero | tr "\\0" a); ( while :; do sleep 60; done ) & echo "$!"; wait';
    child = spawn('/usr/bin/busybox', ['sh', '-c', script], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    const subshell = Number(await new Promise<string>((resolve) => child!.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()))));
    const rss = (pid: number) => Number(fs.readFileSync(`/proc/${pid}/statm`, 'latin1').split(' ')[1]) * PAGE;
    // Both map the 20 MB (the fork shares it copy-on-write)...
    expect(rss(child.pid!)).toBeGreaterThan(20e6);
    expect(rss(subshell)).toBeGreaterThan(20e6);
    // ...but it is the parent's: the fork's own pages are few.
    expect(readPrivatePages(subshell, PAGE) * PAGE).toBeLessThan(4 << 20);
    expect(readPrivatePages(2 ** 22 + 12345, PAGE)).toBe(0);
  });
});
