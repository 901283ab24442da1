import fs from 'node:fs';
import { rotatedLogs } from './cri-log-writer';
import type { LogOptions } from './types';
import { dateToNs, formatRFC3339NanoFixed, parseRFC3339Nano } from './timestamp';

/** How a follower learns that a log grew or is complete (the runtime's log writer tells it). */
export interface LogFollowSource {
  /** No more lines will come: the container has exited and its output is all in the log. */
  done(): boolean;
  /** Resolves when lines may have been appended, the log completed, the signal aborted, or after a while. */
  changed(signal: AbortSignal): Promise<void>;
}

const CHUNK = 64 * 1024;

/**
 * Reads a CRI log back as the program wrote it, as the kubelet's ReadLogs does for `kubectl logs`:
 * tailLines (the last N lines of the file), sinceSeconds/sinceTime (older lines skipped),
 * timestamps (each line prefixed with its fixed-width RFC3339Nano time and a space; a line cut
 * into P parts gets one), limitBytes (output cut there), and follow (waits for new lines until the
 * container has exited and everything is read, or the signal aborts).
 */
export async function* readCriLog(
  file: string,
  options: LogOptions,
  signal: AbortSignal,
  follow?: LogFollowSource,
  nowMs = Date.now(),
): AsyncGenerator<Buffer> {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return;
  }
  try {
    let since: bigint | undefined;
    if (options.sinceSeconds !== undefined) since = BigInt(nowMs - options.sinceSeconds * 1000) * 1_000_000n;
    if (options.sinceTime && (since === undefined || dateToNs(options.sinceTime) > since)) since = dateToNs(options.sinceTime);
    const tail = options.tailLines ?? -1;
    const following = options.follow === true && follow !== undefined;
    let linesLeft = tail >= 0 && !following ? tail : Infinity;
    let bytesLeft = options.limitBytes ?? Infinity;
    let position = tail >= 0 ? findTailStart(fd, tail) : 0;
    let carry = Buffer.alloc(0);
    let isNewLine = true;
    let sawDone = false;
    const chunk = Buffer.allocUnsafe(CHUNK);

    for (;;) {
      if (signal.aborted || linesLeft <= 0 || bytesLeft <= 0) return;
      let n = fs.readSync(fd, chunk, 0, CHUNK, position);
      if (n === 0 && following) {
        // Read to the end of a log that was rotated meanwhile: the lines go on in the file rotated
        // after it (a burst can fill more than one between two reads), or else in the current one.
        const current = fs.statSync(file, { throwIfNoEntry: false });
        const ino = fs.fstatSync(fd).ino;
        if (current && current.ino !== ino) {
          const next = openNextLog(file, ino);
          fs.closeSync(fd);
          fd = next;
          position = 0;
          n = fs.readSync(fd, chunk, 0, CHUNK, position);
        }
      }
      if (n > 0) {
        position += n;
        const buf = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
        const out: Buffer[] = [];
        let start = 0;
        for (let nl = buf.indexOf(10, start); nl >= 0 && linesLeft > 0 && bytesLeft > 0; nl = buf.indexOf(10, start)) {
          const entry = parseCriLine(buf.subarray(start, nl));
          start = nl + 1;
          if (!entry) continue;
          const text = entry.partial ? entry.text : Buffer.concat([entry.text, NEWLINE]);
          if (since === undefined || entry.timestampNs >= since) {
            let piece = options.timestamps && isNewLine ? Buffer.concat([Buffer.from(`${formatRFC3339NanoFixed(entry.timestampNs)} `), text]) : text;
            if (piece.length > bytesLeft) piece = piece.subarray(0, bytesLeft);
            out.push(piece);
            bytesLeft -= piece.length;
          }
          linesLeft--;
          isNewLine = !entry.partial;
        }
        carry = Buffer.from(buf.subarray(start));
        if (out.length > 0) yield Buffer.concat(out);
        continue;
      }
      // End of the file.
      if (!following) return;
      if (sawDone) return;
      sawDone = follow!.done();
      if (!sawDone) await follow!.changed(signal);
    }
  } finally {
    fs.closeSync(fd);
  }
}

const NEWLINE = Buffer.from('\n');

/** Opens the log that follows the rotated file with this inode: the next rotated one, or the current log. */
function openNextLog(file: string, ino: number): number {
  const rotated = rotatedLogs(file);
  const at = rotated.findIndex((name) => fs.statSync(name, { throwIfNoEntry: false })?.ino === ino);
  if (at >= 0 && at + 1 < rotated.length) {
    try {
      return fs.openSync(rotated[at + 1]!, 'r');
    } catch {
      // Removed meanwhile (only the newest files are kept): on to the current log.
    }
  }
  return fs.openSync(file, 'r');
}

/** One CRI log line: `<timestamp> <stream> <tag[:more]> <text>`. */
export interface CriLogEntry {
  timestampNs: bigint;
  stream: 'stdout' | 'stderr';
  partial: boolean;
  text: Buffer;
}

export function parseCriLine(line: Buffer): CriLogEntry | undefined {
  const a = line.indexOf(32);
  if (a < 0) return undefined;
  const b = line.indexOf(32, a + 1);
  if (b < 0) return undefined;
  const c = line.indexOf(32, b + 1);
  if (c < 0) return undefined;
  const timestampNs = parseRFC3339Nano(line.toString('latin1', 0, a));
  const stream = line.toString('latin1', a + 1, b);
  if (timestampNs === undefined || (stream !== 'stdout' && stream !== 'stderr')) return undefined;
  const tag = line.toString('latin1', b + 1, c).split(':')[0];
  return { timestampNs, stream, partial: tag === 'P', text: line.subarray(c + 1) };
}

/** The offset where the last `lines` lines of the file start (the kubelet's tail.FindTailLineStartIndex). */
export function findTailStart(fd: number, lines: number): number {
  const size = fs.fstatSync(fd).size;
  if (lines <= 0) return size;
  const block = Buffer.allocUnsafe(CHUNK);
  let end = size;
  let count = 0;
  while (end > 0) {
    const start = Math.max(0, end - CHUNK);
    const n = fs.readSync(fd, block, 0, end - start, start);
    for (let i = n - 1; i >= 0; i--) {
      if (block[i] !== 10 || start + i === size - 1) continue;
      if (++count === lines) return start + i + 1;
    }
    end = start;
  }
  return 0;
}
