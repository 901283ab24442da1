import { spawn } from 'node:child_process';
import fs from 'node:fs';

/** The /dev/pts/N held open by one of `pids` (util-linux script keeps its pty's slave open), or undefined. */
export function findPty(pids: readonly number[]): string | undefined {
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (/^\/dev\/pts\/\d+$/.test(target)) return target;
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}

/**
 * Resizes a tty made by util-linux script, best effort: node cannot ioctl, so `stty -F
 * /dev/pts/N rows R cols C` sets the window size and the kernel sends SIGWINCH to the program.
 * The pty appears a few ms after script starts, so the size is retried for up to 2 s and the
 * latest size wins.
 */
export class PtyResizer {
  private pending: { width: number; height: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private tries = 0;

  constructor(
    private readonly stty: string | undefined,
    private readonly pids: () => number[],
  ) {}

  resize(size: { width: number; height: number }): void {
    if (!this.stty || !(size.width > 0 && size.height > 0)) return;
    this.pending = size;
    this.tries = 0;
    this.apply();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.pending = undefined;
  }

  private apply(): void {
    clearTimeout(this.timer);
    const size = this.pending;
    if (!size) return;
    const pty = findPty(this.pids());
    if (!pty) {
      if (++this.tries > 40) return;
      this.timer = setTimeout(() => this.apply(), 50);
      this.timer.unref();
      return;
    }
    this.pending = undefined;
    const child = spawn(this.stty!, ['-F', pty, 'rows', String(size.height), 'cols', String(size.width)], { stdio: 'ignore' });
    child.on('error', () => {});
  }
}
