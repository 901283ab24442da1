import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { formatRFC3339Nano, nowNs } from './timestamp';

export type LogStream = 'stdout' | 'stderr';
const STREAMS: LogStream[] = ['stdout', 'stderr'];

/** containerd's max_container_log_line_size: longer lines are cut into partial (P) lines. */
export const MAX_LOG_LINE_BYTES = 16 * 1024;
/** The kubelet's containerLogMaxSize and containerLogMaxFiles defaults: a log over 10 MiB is rotated, 5 files kept. */
export const CONTAINER_LOG_MAX_BYTES = 10 * 1024 * 1024;
export const CONTAINER_LOG_MAX_FILES = 5;
/** The raw output already turned into CRI lines is given back to the filesystem in steps of this much. */
const RAW_RELEASE_BYTES = 4 * 1024 * 1024;
const PAGE = 4096;
const READ_CHUNK = 256 * 1024;
const MAX_READ_PER_PUMP = 4 * 1024 * 1024;
/** One read buffer for every writer: reads are synchronous, so they never overlap (100 containers, not 100 buffers). */
const chunk = Buffer.allocUnsafe(READ_CHUNK);

interface Source {
  path: string;
  fd?: number;
  /** Bytes of the raw file read so far. */
  offset: number;
  /** Bytes at the start of the raw file given back (a hole punched: the file keeps its size, not its pages). */
  released: number;
  /** A fallocate is running for this file. */
  releasing?: boolean;
  /** Read, but not yet a complete line (waiting for its newline). */
  pending: Buffer;
}

export interface CriLogWriterOptions {
  /** The CRI log file: <rootDir>/pods/<ns>_<name>_<uid>/<container>/<attempt>.log. */
  logPath: string;
  /** The container's raw stdout and stderr files (the program writes there, the kubelet need not be alive). */
  sources: Record<LogStream, string>;
  /** Where the bytes already turned into CRI lines are remembered, so a restarted kubelet resumes exactly there. */
  offsetsFile: string;
  /** A container just started: nothing was read before, there is no offsets file to resume from. */
  fresh?: boolean;
  maxLineBytes?: number;
  /** Rotate the CRI log above this size (containerLogMaxSize), keeping this many files (containerLogMaxFiles). */
  maxLogBytes?: number;
  maxLogFiles?: number;
  /** New CRI lines were appended (readers following the log wake up). */
  onAppend?: () => void;
  /** The raw bytes, as read (attach streams them). */
  onOutput?: (stream: LogStream, data: Buffer) => void;
  /** A pump failed (the filesystem full, the log's directory gone). */
  onError?: (error: Error) => void;
}

/**
 * Turns a container's raw output into the CRI log, as containerd's cri io logger does: one line
 * `<RFC3339Nano> <stream> <F|P> <text>` per line of output, stamped when it is read, a trailing
 * '\r' dropped, lines over 16 KiB cut into P lines, and at the end an unterminated last line
 * written as P.
 *
 * Design: the program writes to plain files (never to a pipe the kubelet holds), so it can keep
 * writing while no kubelet runs; each kubelet pumps the files into the CRI log (on inotify events
 * and every housekeeping tick) and records how far it got in a small offsets file. A line written
 * while no kubelet runs is stamped when the next kubelet reads it.
 *
 * Bounded as the kubelet bounds logs: the CRI log is rotated above 10 MiB (`0.log` renamed
 * `0.log.<YYYYMMDD-HHMMSS>`, at most 5 files kept; `kubectl logs` reads the current one, and a
 * follower moves on to it), and the raw output already read is given back to the filesystem
 * (util-linux `fallocate --punch-hole`, every 4 MiB) while the program keeps appending.
 */
export class CriLogWriter {
  private readonly sources: Record<LogStream, Source>;
  private logFd: number | undefined;
  private offsetsFd: number | undefined;
  private readonly maxLine: number;

  constructor(private readonly options: CriLogWriterOptions) {
    this.maxLine = options.maxLineBytes ?? MAX_LOG_LINE_BYTES;
    const offsets: [number, number] = options.fresh ? [0, 0] : readOffsets(options.offsetsFile);
    this.sources = {
      stdout: { path: options.sources.stdout, offset: offsets[0], released: 0, pending: Buffer.alloc(0) },
      stderr: { path: options.sources.stderr, offset: offsets[1], released: 0, pending: Buffer.alloc(0) },
    };
    this.logFd = fs.openSync(options.logPath, 'a');
    this.logSize = fs.fstatSync(this.logFd).size;
    this.maxLogBytes = options.maxLogBytes ?? CONTAINER_LOG_MAX_BYTES;
    this.maxLogFiles = options.maxLogFiles ?? CONTAINER_LOG_MAX_FILES;
  }

  private logSize: number;
  private readonly maxLogBytes: number;
  private readonly maxLogFiles: number;

  /**
   * Reads what the program wrote since the last pump and appends it as CRI lines. Returns whether
   * anything was written. A failure (a full filesystem) goes to onError, never to the caller: the
   * kubelet goes on, and the next pump tries again.
   */
  pump(): boolean {
    try {
      return this.pumpOnce();
    } catch (error) {
      this.options.onError?.(error as Error);
      return false;
    }
  }

  private pumpOnce(): boolean {
    if (this.logFd === undefined) return false;
    const out: Buffer[] = [];
    let moved = false;
    for (const stream of STREAMS) {
      const source = this.sources[stream];
      const before = source.offset;
      const data = this.read(source);
      if (data.length === 0) continue;
      moved = moved || source.offset !== before;
      this.options.onOutput?.(stream, data);
      this.split(stream, source, Buffer.concat([source.pending, data]), out);
    }
    const wrote = this.flush(out, moved);
    // Only bytes that are in the CRI log and counted in the offsets file (not an unfinished line) are given back.
    for (const stream of STREAMS) {
      const source = this.sources[stream];
      if (source.offset - source.pending.length - source.released >= RAW_RELEASE_BYTES) release(source, source.offset - source.pending.length);
    }
    return wrote;
  }

  /** The program has exited: pumps to the end, writes an unterminated last line as P, and closes the files. */
  finish(): void {
    while (this.pump()) {
      // until caught up
    }
    const out: Buffer[] = [];
    for (const stream of STREAMS) {
      const source = this.sources[stream];
      if (source.pending.length > 0) {
        out.push(line(stream, 'P', source.pending));
        source.pending = Buffer.alloc(0);
      }
    }
    this.flush(out, out.length > 0);
    this.close();
  }

  /** Stops without flushing (the kubelet shuts down; the next one resumes from the offsets file). */
  close(): void {
    for (const source of Object.values(this.sources)) {
      if (source.fd !== undefined) fs.closeSync(source.fd);
      source.fd = undefined;
    }
    if (this.logFd !== undefined) fs.closeSync(this.logFd);
    if (this.offsetsFd !== undefined) fs.closeSync(this.offsetsFd);
    this.logFd = this.offsetsFd = undefined;
  }

  private read(source: Source): Buffer {
    if (source.fd === undefined) {
      try {
        source.fd = fs.openSync(source.path, 'r');
      } catch {
        return Buffer.alloc(0);
      }
    }
    const size = fs.fstatSync(source.fd).size;
    if (size <= source.offset) return Buffer.alloc(0);
    const parts: Buffer[] = [];
    let total = 0;
    while (source.offset < size && total < MAX_READ_PER_PUMP) {
      const n = fs.readSync(source.fd, chunk, 0, Math.min(READ_CHUNK, size - source.offset), source.offset);
      if (n <= 0) break;
      parts.push(Buffer.from(chunk.subarray(0, n)));
      source.offset += n;
      total += n;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  private split(stream: LogStream, source: Source, buf: Buffer, out: Buffer[]): void {
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
      let end = nl;
      if (end > start && buf[end - 1] === 13) end--;
      let from = start;
      while (end - from > this.maxLine) {
        out.push(line(stream, 'P', buf.subarray(from, from + this.maxLine)));
        from += this.maxLine;
      }
      out.push(line(stream, 'F', buf.subarray(from, end)));
      start = nl + 1;
    }
    while (buf.length - start > this.maxLine) {
      out.push(line(stream, 'P', buf.subarray(start, start + this.maxLine)));
      start += this.maxLine;
    }
    source.pending = Buffer.from(buf.subarray(start));
  }

  private flush(out: Buffer[], moved: boolean): boolean {
    if (out.length > 0 && this.logFd !== undefined) {
      const stamp = Buffer.from(formatRFC3339Nano(nowNs()));
      // Each line starts with the same stamp: one batch, read at one instant.
      const lines = out.map((l) => Buffer.concat([stamp, l]));
      // Rotated when there is more to write and the log is already over the limit (the kubelet
      // checks the size every 10 s): the line that crosses the limit stays, the next one starts a
      // new file. So the current file is never left empty by a rotation (`kubectl logs` right after
      // a burst still shows its last lines), and one large read cannot keep a file far over it.
      let from = 0;
      let size = 0;
      for (let i = 0; i < lines.length; i++) {
        if (this.logSize + size > this.maxLogBytes) {
          this.write(lines.slice(from, i), size);
          this.rotate();
          from = i;
          size = 0;
        }
        size += lines[i]!.length;
      }
      this.write(lines.slice(from), size);
      this.options.onAppend?.();
    }
    if (moved) this.saveOffsets();
    return out.length > 0 || moved;
  }

  private write(lines: Buffer[], size: number): void {
    if (lines.length === 0) return;
    fs.writeSync(this.logFd!, lines.length === 1 ? lines[0]! : Buffer.concat(lines, size));
    this.logSize += size;
  }

  /** The kubelet's log rotation: the full log renamed with the time, a new one opened, the oldest beyond the limit removed. */
  private rotate(): void {
    const { logPath } = this.options;
    fs.closeSync(this.logFd!);
    this.logFd = undefined;
    try {
      let rotated = `${logPath}.${rotationStamp(new Date())}`;
      for (let n = 1; fs.existsSync(rotated); n++) rotated = `${logPath}.${rotationStamp(new Date())}.${n}`;
      fs.renameSync(logPath, rotated);
    } finally {
      // Whatever happened to the rename, the log goes on in a file of that name.
      this.logFd = fs.openSync(logPath, 'a');
      this.logSize = fs.fstatSync(this.logFd).size;
    }
    const older = rotatedLogs(logPath);
    for (const file of older.slice(0, Math.max(0, older.length - (this.maxLogFiles - 1)))) fs.rmSync(file, { force: true });
  }

  private saveOffsets(): void {
    this.offsetsFd ??= fs.openSync(this.options.offsetsFile, 'w');
    const consumed = STREAMS.map((s) => this.sources[s].offset - this.sources[s].pending.length);
    fs.writeSync(this.offsetsFd, `${consumed.join(' ')}\n`.padEnd(48, ' '), 0);
  }
}

/** ' <stream> <tag> <text>\n' (the timestamp is put in front when the batch is written). */
function line(stream: LogStream, tag: 'F' | 'P', text: Buffer): Buffer {
  return Buffer.concat([Buffer.from(` ${stream} ${tag} `), text, NEWLINE]);
}
const NEWLINE = Buffer.from('\n');

function readOffsets(file: string): [number, number] {
  try {
    const [a, b] = fs.readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
    return [Number.isFinite(a) ? a! : 0, Number.isFinite(b) ? b! : 0];
  } catch {
    return [0, 0];
  }
}

/** The rotated files of a CRI log, oldest first: `<log>.<YYYYMMDD-HHMMSS>[.n]`. */
export function rotatedLogs(logPath: string): string[] {
  const dir = path.dirname(logPath);
  const prefix = `${path.basename(logPath)}.`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  // `<stamp>` sorts by time; a second rotation within one second is `<stamp>.1`, `<stamp>.2`, ...
  const key = (name: string) => {
    const [stamp = '', n = '0'] = name.slice(prefix.length).split('.');
    return { stamp, n: Number(n) || 0 };
  };
  return names
    .filter((name) => name.startsWith(prefix))
    .map((name) => ({ name, ...key(name) }))
    .sort((a, b) => (a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : a.n - b.n))
    .map(({ name }) => path.join(dir, name));
}

/** Go's "20060102-150405" in the local time zone (time.Now().Format), the kubelet's rotation suffix. */
function rotationStamp(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}-${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
}

/**
 * Gives the raw output read so far back to the filesystem: a hole punched from the start of the
 * file to the last whole page read. The program appends on unaffected (O_APPEND; the size does
 * not change) and the offsets stay valid. Without util-linux's fallocate, the file just stays.
 */
function release(source: Source, consumed: number): void {
  const upTo = Math.floor(consumed / PAGE) * PAGE;
  if (upTo <= source.released || source.releasing || punchUnsupported) return;
  source.releasing = true;
  const child = spawn('fallocate', ['--punch-hole', '--offset', '0', '--length', String(upTo), source.path], { stdio: 'ignore' });
  const done = (ok: boolean) => {
    source.releasing = false;
    if (ok) source.released = upTo;
    // No fallocate, or a filesystem without holes: the raw files just stay, and no more tries.
    // A file removed meanwhile (its container gone) says nothing about either.
    else if (fs.existsSync(source.path)) punchUnsupported = true;
  };
  child.on('error', () => {
    source.releasing = false;
    punchUnsupported = true;
  });
  child.on('exit', (code) => code !== null && done(code === 0));
  child.unref();
}

/** fallocate failed once: this process does not try again. */
let punchUnsupported = false;
