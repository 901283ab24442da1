import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { readCriLog } from './cri-log-reader';
import { CriLogWriter, rotatedLogs } from './cri-log-writer';
import { exited, readAll, RuntimeHarness, testContainer, testPod } from './testdata/harness';
import { formatRFC3339Nano, parseRFC3339Nano } from './timestamp';

const harness = new RuntimeHarness();
const scratch: string[] = [];
afterEach(async () => {
  await harness.cleanup();
  for (const dir of scratch.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const CRI_LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z) (stdout|stderr) ([FP]) (.*)$/;
const never = new AbortController().signal;

function scratchDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelab-crilog-'));
  scratch.push(dir);
  return dir;
}

/** A scratch dir with a program's (empty) raw stdout and stderr files in it. */
function rawOutput(): { dir: string; sources: { stdout: string; stderr: string } } {
  const dir = scratchDir();
  const sources = { stdout: path.join(dir, 'out'), stderr: path.join(dir, 'err') };
  fs.writeFileSync(sources.stdout, '');
  fs.writeFileSync(sources.stderr, '');
  return { dir, sources };
}

describe('CriLogWriter', () => {
  function writer(dir: string, maxLineBytes?: number) {
    const sources = { stdout: path.join(dir, 'out'), stderr: path.join(dir, 'err') };
    fs.writeFileSync(sources.stdout, '');
    fs.writeFileSync(sources.stderr, '');
    const logPath = path.join(dir, '0.log');
    return { sources, logPath, w: new CriLogWriter({ logPath, sources, offsetsFile: path.join(dir, 'offsets'), maxLineBytes }) };
  }

  it("writes containerd's CRI lines: trailing \\r dropped, long lines cut into P lines, an unterminated last line as P", () => {
    const dir = scratchDir();
    const { sources, logPath, w } = writer(dir, 8);
    fs.appendFileSync(sources.stdout, 'hello\r\n\n0123456789abc\ntail');
    fs.appendFileSync(sources.stderr, 'oops\n');
    w.pump();
    w.finish();
    const lines = fs.readFileSync(logPath, 'utf8').split('\n').slice(0, -1);
    expect(lines.every((l) => CRI_LINE.test(l))).toBe(true);
    expect(lines.map((l) => l.replace(/^\S+ /, ''))).toEqual([
      'stdout F hello',
      'stdout F ',
      'stdout P 01234567',
      'stdout F 89abc',
      'stderr F oops',
      'stdout P tail',
    ]);
  });

  it('resumes where the previous writer stopped (a kubelet restart), keeping an incomplete line for later', () => {
    const dir = scratchDir();
    const { sources, logPath, w } = writer(dir);
    fs.appendFileSync(sources.stdout, 'one\ntw');
    w.pump();
    w.close();
    fs.appendFileSync(sources.stdout, 'o\nthree\n');
    const next = new CriLogWriter({ logPath, sources, offsetsFile: path.join(dir, 'offsets') });
    next.finish();
    expect(
      fs
        .readFileSync(logPath, 'utf8')
        .split('\n')
        .slice(0, -1)
        .map((l) => l.replace(/^\S+ /, '')),
    ).toEqual(['stdout F one', 'stdout F two', 'stdout F three']);
  });
});

describe('CriLogWriter rotation, as the kubelet rotates logs', () => {
  it('renames a log over the size limit with the time, starts a new one, and keeps at most the file limit', () => {
    const { dir, sources } = rawOutput();
    const logPath = path.join(dir, '0.log');
    const w = new CriLogWriter({ logPath, sources, offsetsFile: path.join(dir, 'offsets'), maxLogBytes: 1000, maxLogFiles: 3 });
    for (let i = 0; i < 40; i++) {
      fs.appendFileSync(sources.stdout, `${String(i).padStart(2, '0')} ${'x'.repeat(100)}\n`);
      w.pump();
    }
    w.finish();
    const rotated = fs.readdirSync(dir).filter((name) => name.startsWith('0.log.'));
    expect(rotated).toHaveLength(2);
    for (const name of rotated) expect(name).toMatch(/^0\.log\.\d{8}-\d{6}(\.\d+)?$/);
    // Every file but the current one went over the limit; the newest lines are in the current one.
    for (const name of rotated) expect(fs.statSync(path.join(dir, name)).size).toBeGreaterThan(1000);
    expect(fs.statSync(logPath).size).toBeLessThanOrEqual(1000 + 200);
    expect(fs.readFileSync(logPath, 'utf8')).toContain(' stdout F 39 ');
  });

  it('rotates only when there is more to write: the write that crosses the limit stays in the current file', () => {
    const { dir, sources } = rawOutput();
    const logPath = path.join(dir, '0.log');
    const w = new CriLogWriter({ logPath, sources, offsetsFile: path.join(dir, 'offsets'), maxLogBytes: 1000, maxLogFiles: 3 });
    const write = (i: number) => {
      fs.appendFileSync(sources.stdout, `${String(i).padStart(2, '0')} ${'x'.repeat(100)}\n`);
      w.pump();
    };
    let i = 0;
    while (fs.statSync(logPath).size <= 1000 && i < 20) write(i++);
    // Over the limit now, and nothing rotated: `kubectl logs` still shows the last line.
    expect(fs.readdirSync(dir).filter((name) => name.startsWith('0.log.'))).toEqual([]);
    expect(fs.readFileSync(logPath, 'utf8')).toMatch(new RegExp(` stdout F ${String(i - 1).padStart(2, '0')} x+\n$`));
    // The next line goes to a new file.
    write(i);
    expect(fs.readdirSync(dir).filter((name) => name.startsWith('0.log.'))).toHaveLength(1);
    expect(fs.readFileSync(logPath, 'utf8').split('\n')).toHaveLength(2);
    w.finish();
  });

  it('one read of a burst (a kubelet that read late) is spread over files of the limit, not kept in one', () => {
    const { dir, sources } = rawOutput();
    const logPath = path.join(dir, '0.log');
    const w = new CriLogWriter({ logPath, sources, offsetsFile: path.join(dir, 'offsets'), maxLogBytes: 1000, maxLogFiles: 10 });
    fs.appendFileSync(sources.stdout, Array.from({ length: 30 }, (_, i) => `${String(i).padStart(2, '0')} ${'x'.repeat(100)}\n`).join(''));
    w.pump();
    // ~144 bytes a line: 7 lines to a file.
    const rotated = rotatedLogs(logPath);
    expect(rotated).toHaveLength(4);
    // Each file went over the limit by its last line only; the lines are all there, in order.
    for (const file of [...rotated, logPath]) expect(fs.statSync(file).size).toBeLessThanOrEqual(1000 + 200);
    const numbers = [...rotated, logPath].flatMap((file) => [...fs.readFileSync(file, 'utf8').matchAll(/ stdout F (\d\d) /g)].map((m) => Number(m[1])));
    expect(numbers).toEqual(Array.from({ length: 30 }, (_, i) => i));
    w.finish();
  });

  it('rotated files are ordered by time, then by their .n within one second', () => {
    const dir = scratchDir();
    const logPath = path.join(dir, '0.log');
    for (const name of ['0.log.20260101-000001.10', '0.log.20260101-000001.2', '0.log.20260101-000002', '0.log.20260101-000001']) fs.writeFileSync(path.join(dir, name), '');
    expect(rotatedLogs(logPath).map((file) => path.basename(file))).toEqual(['0.log.20260101-000001', '0.log.20260101-000001.2', '0.log.20260101-000001.10', '0.log.20260101-000002']);
  });

  it('a failed write (here the log directory gone under a rotation) goes to onError, not to the caller', () => {
    const { dir, sources } = rawOutput();
    fs.mkdirSync(path.join(dir, 'logs'));
    const errors: string[] = [];
    const w = new CriLogWriter({ logPath: path.join(dir, 'logs', '0.log'), sources, offsetsFile: path.join(dir, 'offsets'), maxLogBytes: 100, onError: (e) => errors.push(e.message) });
    fs.appendFileSync(sources.stdout, `${'x'.repeat(200)}\n`);
    expect(w.pump()).toBe(true);
    fs.rmSync(path.join(dir, 'logs'), { recursive: true });
    fs.appendFileSync(sources.stdout, 'more\n');
    expect(w.pump()).toBe(false);
    expect(errors).toEqual([expect.stringContaining('ENOENT')]);
    w.close();
  });

  it('gives back the raw output it has read (a hole punched), while the program appends on', async () => {
    const { dir, sources } = rawOutput();
    const w = new CriLogWriter({ logPath: path.join(dir, '0.log'), sources, offsetsFile: path.join(dir, 'offsets') });
    const block = `${'y'.repeat(1023)}\n`.repeat(1024); // 1 MiB
    for (let i = 0; i < 5; i++) {
      fs.appendFileSync(sources.stdout, block);
      w.pump();
    }
    // The file keeps its size; the pages read are freed (fallocate runs in the background).
    await waitFor(() => fs.statSync(sources.stdout).blocks * 512 < 2 * 1024 * 1024, { timeoutMs: 10_000, what: 'the raw pages freed' });
    expect(fs.statSync(sources.stdout).size).toBe(5 * 1024 * 1024);
    fs.appendFileSync(sources.stdout, 'after\n');
    w.finish();
    expect(fs.readFileSync(path.join(dir, '0.log'), 'utf8')).toMatch(/ stdout F after\n$/);
  });

  it('never gives back an unfinished line: a restarted kubelet reads it whole', async () => {
    const { dir, sources } = rawOutput();
    const options = { logPath: path.join(dir, '0.log'), sources, offsetsFile: path.join(dir, 'offsets') };
    const w = new CriLogWriter(options);
    // Just under 5 MiB of whole lines, then a line still being written, across the page the hole would end on.
    fs.appendFileSync(sources.stdout, `${'z'.repeat(1023)}\n`.repeat(5 * 1024 - 1) + 'q'.repeat(2000));
    w.pump();
    await waitFor(() => fs.statSync(sources.stdout).blocks * 512 < 2 * 1024 * 1024, { timeoutMs: 10_000, what: 'the raw pages freed' });
    w.close(); // the kubelet stops; the next one resumes from the offsets file
    fs.appendFileSync(sources.stdout, 'END\n');
    const next = new CriLogWriter(options);
    next.finish();
    expect(fs.readFileSync(options.logPath, 'utf8')).toMatch(new RegExp(` stdout F ${'q'.repeat(2000)}END\n$`));
  });
});

describe('readCriLog', () => {
  const t0 = 1_700_000_000_000_000_000n;
  const at = (s: number) => formatRFC3339Nano(t0 + BigInt(s) * 1_000_000_000n);
  function logFile(): string {
    const file = path.join(scratchDir(), '0.log');
    fs.writeFileSync(
      file,
      [
        `${at(0)} stdout F first`,
        `${at(1)} stderr F second`,
        `${at(2)} stdout P par`,
        `${at(3)} stdout F tial`,
        `${at(4)} stdout F last`,
        '',
      ].join('\n'),
    );
    return file;
  }

  it('returns the program output, partial lines joined', async () => {
    expect(await readAll(readCriLog(logFile(), {}, never))).toBe('first\nsecond\npartial\nlast\n');
  });

  it('tailLines counts the lines of the file', async () => {
    expect(await readAll(readCriLog(logFile(), { tailLines: 1 }, never))).toBe('last\n');
    expect(await readAll(readCriLog(logFile(), { tailLines: 3 }, never))).toBe('partial\nlast\n');
    expect(await readAll(readCriLog(logFile(), { tailLines: 0 }, never))).toBe('');
    expect(await readAll(readCriLog(logFile(), { tailLines: 100 }, never))).toBe('first\nsecond\npartial\nlast\n');
  });

  it('timestamps: one fixed-width RFC3339Nano prefix per line', async () => {
    const out = await readAll(readCriLog(logFile(), { timestamps: true, tailLines: 3 }, never));
    expect(out).toBe('2023-11-14T22:13:22.000000000Z partial\n2023-11-14T22:13:24.000000000Z last\n');
  });

  it('sinceTime skips older lines; limitBytes cuts the output', async () => {
    const since = new Date(Number((t0 + 3_000_000_000n) / 1_000_000n));
    expect(await readAll(readCriLog(logFile(), { sinceTime: since }, never))).toBe('tial\nlast\n');
    expect(await readAll(readCriLog(logFile(), { limitBytes: 9 }, never))).toBe('first\nsec');
    const now = Number(t0 / 1_000_000n) + 4_500;
    expect(await readAll(readCriLog(logFile(), { sinceSeconds: 1 }, never, undefined, now))).toBe('last\n');
  });

  it('parses what it formats', () => {
    expect(parseRFC3339Nano('2023-11-14T22:13:20.5Z')).toBe(t0 + 500_000_000n);
    expect(formatRFC3339Nano(t0 + 120_000n)).toBe('2023-11-14T22:13:20.00012Z');
  });
});

describe('ProcessRuntime logs', () => {
  it('writes the CRI log under pods/<ns>_<name>_<uid>/<container>/<attempt>.log, stdout and stderr', async () => {
    const rootDir = harness.newRootDir();
    const runtime = harness.runtime({ rootDir });
    const pod = testPod('logger');
    const c = await runtime.startContainer(pod, testContainer('app', 'busybox', { command: ['sh', '-c', 'echo out; echo err >&2; printf "no newline"'] }));
    expect(c.logPath).toBe(path.join(rootDir, 'pods', `default_logger_${pod.uid}`, 'app', '0.log'));
    await exited(runtime, c.id);
    const lines = fs.readFileSync(c.logPath, 'utf8').split('\n').slice(0, -1);
    expect(lines.map((l) => CRI_LINE.exec(l)?.slice(3))).toEqual([
      ['stdout', 'F', 'out'],
      ['stderr', 'F', 'err'],
      ['stdout', 'P', 'no newline'],
    ]);
    // The raw output files are gone once everything is in the CRI log.
    expect(fs.readdirSync(path.dirname(path.dirname(c.logPath)))).toEqual(['app']);
    expect(await readAll(runtime.readLogs(c.id, {}, never))).toBe('out\nerr\nno newline');
  });

  it('follow streams new lines and ends when the container has exited and everything is read', async () => {
    const runtime = harness.runtime();
    const c = await runtime.startContainer(
      testPod('follow'),
      testContainer('app', 'busybox', { command: ['sh', '-c', 'for i in 1 2 3; do echo line $i; sleep 0.1; done; exit 2'] }),
    );
    const chunks: string[] = [];
    for await (const chunk of runtime.readLogs(c.id, { follow: true, timestamps: true }, never)) chunks.push(chunk.toString());
    expect(runtime.getContainer(c.id)?.exitCode).toBe(2);
    const text = chunks.join('');
    expect(text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z line 1\n\S+ line 2\n\S+ line 3\n$/);
    // It streamed: the lines came in more than one piece.
    expect(chunks.length).toBeGreaterThan(1);
  });

  it('follow goes on in the new log after a rotation', async () => {
    const dir = scratchDir();
    const file = path.join(dir, '0.log');
    fs.writeFileSync(file, `${formatRFC3339Nano(1n)} stdout F before\n`);
    let done = false;
    let wake: () => void = () => {};
    const follow = { done: () => done, changed: () => new Promise<void>((resolve) => (wake = resolve)) };
    const chunks: string[] = [];
    const reading = (async () => {
      for await (const chunk of readCriLog(file, { follow: true }, never, follow)) chunks.push(chunk.toString());
    })();
    await waitFor(() => chunks.join('') === 'before\n', { timeoutMs: 5_000, what: 'the first line' });
    fs.renameSync(file, `${file}.20260101-000000`);
    fs.writeFileSync(file, `${formatRFC3339Nano(2n)} stdout F after\n`);
    done = true;
    wake();
    await reading;
    expect(chunks.join('')).toBe('before\nafter\n');
  });

  it('follow reads every file of a burst that was rotated more than once between two reads', async () => {
    const { dir, sources } = rawOutput();
    const logPath = path.join(dir, '0.log');
    const w = new CriLogWriter({ logPath, sources, offsetsFile: path.join(dir, 'offsets'), maxLogBytes: 1000, maxLogFiles: 10 });
    fs.appendFileSync(sources.stdout, 'first\n');
    w.pump();
    let done = false;
    let wake: () => void = () => {};
    const follow = { done: () => done, changed: () => new Promise<void>((resolve) => (wake = resolve)) };
    const chunks: string[] = [];
    const reading = (async () => {
      for await (const chunk of readCriLog(logPath, { follow: true }, never, follow)) chunks.push(chunk.toString());
    })();
    await waitFor(() => chunks.join('') === 'first\n', { timeoutMs: 5_000, what: 'the first line' });
    const burst = Array.from({ length: 30 }, (_, i) => `${String(i).padStart(2, '0')} ${'x'.repeat(100)}\n`).join('');
    fs.appendFileSync(sources.stdout, burst);
    w.pump();
    expect(rotatedLogs(logPath).length).toBeGreaterThanOrEqual(3);
    done = true;
    wake();
    await reading;
    expect(chunks.join('')).toBe(`first\n${burst}`);
    w.finish();
  });

  it('follow ends when aborted', async () => {
    const runtime = harness.runtime();
    const c = await runtime.startContainer(testPod('abort'), testContainer('app', 'busybox', { command: ['sh', '-c', 'echo hi; sleep 30'] }));
    const abort = new AbortController();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const chunk of runtime.readLogs(c.id, { follow: true }, abort.signal)) seen.push(chunk.toString());
    })();
    await waitFor(() => seen.join('') === 'hi\n', { what: 'the first line' });
    abort.abort();
    await reading;
    expect(runtime.getContainer(c.id)?.state).toBe('running');
  });

  it("a restarted container writes the next attempt's file; the previous one stays", async () => {
    const runtime = harness.runtime();
    const pod = testPod('restarts');
    const first = await runtime.startContainer(pod, testContainer('app', 'busybox', { command: ['echo', 'attempt 0'] }));
    await exited(runtime, first.id);
    const second = await runtime.startContainer(pod, testContainer('app', 'busybox', { command: ['echo', 'attempt 1'], attempt: 1 }));
    await exited(runtime, second.id);
    expect(path.basename(second.logPath)).toBe('1.log');
    expect(await readAll(runtime.readLogs(first.id, {}, never))).toBe('attempt 0\n');
    expect(await readAll(runtime.readLogs(second.id, { tailLines: 1 }, never))).toBe('attempt 1\n');
  });

  it('readLogs of an unknown container fails', async () => {
    const runtime = harness.runtime();
    await expect(readAll(runtime.readLogs('kubelab://nope', {}, never))).rejects.toThrow(/not found/);
  });
});
