import fs from 'node:fs';
import { formatRFC3339Nano, nowNs } from './timestamp';

export type LogStream = 'stdout' | 'stderr';
const STREAMS: LogStream[] = ['stdout', 'stderr'];

/** containerd's max_container_log_line_size: longer lines are cut into partial (P) lines. */
export const MAX_LOG_LINE_BYTES = 16 * 1024;
const READ_CHUNK = 256 * 1024;
const MAX_READ_PER_PUMP = 4 * 1024 * 1024;
/** One read buffer for every writer: reads are synchronous, so they never overlap (100 containers, not 100 buffers). */
const chunk = Buffer.allocUnsafe(READ_CHUNK);

interface Source {
  path: string;
  fd?: number;
  /** Bytes of the raw file read so far. */
  offset: number;
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
  /** New CRI lines were appended (readers following the log wake up). */
  onAppend?: () => void;
  /** The raw bytes, as read (attach streams them). */
  onOutput?: (stream: LogStream, data: Buffer) => void;
}

/**
 * Turns a container's raw output into the CRI log, as containerd's cri io logger does: one line
 * `<RFC3339Nano> <stream> <F|P> <text>` per line of output, stamped when it is read, a trailing
 * '\r' dropped, lines over 16 KiB cut into P lines, and at the end an unterminated last line
 * written as P.
 *
 * Design: the program writes to plain files (never to a pipe the kubelet holds), so it can keep
 * writing while no kubelet runs; each kubelet pumps the files into the CRI log (on inotify events
 * and every housekeeping tick) and records how far it got in a small offsets file. Costs: output
 * exists twice until the container exits (the raw files are then deleted), and a line written
 * while no kubelet runs is stamped when the next kubelet reads it.
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
      stdout: { path: options.sources.stdout, offset: offsets[0], pending: Buffer.alloc(0) },
      stderr: { path: options.sources.stderr, offset: offsets[1], pending: Buffer.alloc(0) },
    };
    this.logFd = fs.openSync(options.logPath, 'a');
  }

  /** Reads what the program wrote since the last pump and appends it as CRI lines. Returns whether anything was written. */
  pump(): boolean {
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
    return this.flush(out, moved);
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
      fs.writeSync(this.logFd, Buffer.concat(lines));
      this.options.onAppend?.();
    }
    if (moved) this.saveOffsets();
    return out.length > 0 || moved;
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
