/**
 * Test harness for the image programs: builds the package when dist is stale, starts an image's
 * program as the kubelab runtime would (entrypoint + cmd or args, image ENV, the pod's IP) and
 * talks to it. Test-only (excluded from the build).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { waitFor } from '@kubelab/component-base';
import { resolveImage } from '../catalogue';

const PACKAGE = path.resolve(__dirname, '../..');
const REPO = path.resolve(PACKAGE, '../..');

function newestMtime(dir: string, filter: (file: string) => boolean): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(file, filter));
    else if (filter(file)) newest = Math.max(newest, fs.statSync(file).mtimeMs);
  }
  return newest;
}

/** dist is current when it (or tsc's build info: tsc -b only touches that when nothing changed) is newer than every source. */
function isBuilt(): boolean {
  const source = newestMtime(path.join(PACKAGE, 'src'), (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.includes(`${path.sep}testing${path.sep}`));
  const dist = path.join(PACKAGE, 'dist');
  const info = fs.statSync(path.join(PACKAGE, 'tsconfig.tsbuildinfo'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const built = fs.existsSync(dist) ? Math.max(newestMtime(dist, (f) => f.endsWith('.js')), info) : 0;
  return built >= source;
}

/**
 * Builds packages/images (tsc -b) unless dist is current. Test files run in parallel: one builds
 * (holding a lock directory), the others wait for it.
 */
export function ensureBuilt(): void {
  const lock = path.join(PACKAGE, '.build-lock');
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (isBuilt()) return;
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      // Another test file is building (a lock older than a minute is left from a killed run).
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 60_000) fs.rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error('timed out waiting for another build of packages/images');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    if (!isBuilt()) execFileSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-b', PACKAGE], { stdio: 'inherit' });
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** A random pod-like IP for one test: 127.X.Y.Z with X in 100..250. */
export function randomIP(): string {
  const r = (n: number): number => Math.floor(Math.random() * n);
  return `127.${100 + r(151)}.${r(256)}.${2 + r(250)}`;
}

export interface RunningImage {
  child: ChildProcess;
  pid: number;
  ip: string;
  /** ms from spawn until `port` accepted a connection (when started with a port). */
  timeToListenMs: number;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` and resolves with the exit and how long it took. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

const running = new Set<ChildProcess>();

/** Starts `reference`'s program as a container would be, and waits until it accepts on `port`. */
export async function startImage(
  reference: string,
  options: { port?: number; env?: Record<string, string>; args?: string[]; ip?: string } = {},
): Promise<RunningImage> {
  const image = resolveImage(reference);
  if (!image) throw new Error(`no image ${reference}`);
  const { entrypoint, cmd, env } = image.definition;
  const command = [...entrypoint, ...(options.args ?? cmd)];
  const ip = options.ip ?? randomIP();
  let out = '';
  let err = '';
  const started = performance.now();
  const child = spawn(command[0]!, command.slice(1), {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env, KUBELAB_POD_IP: ip, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  let timeToListenMs = 0;
  if (options.port !== undefined) {
    let gone = false;
    void exited.then(() => (gone = true));
    await waitFor(
      async () => {
        if (gone) throw new Error(`${reference} exited: ${err}`);
        return canConnect(ip, options.port!);
      },
      { timeoutMs: 10_000, intervalMs: 2, what: `${reference} listening on ${ip}:${options.port}` },
    );
    timeToListenMs = performance.now() - started;
  }
  return {
    child,
    pid: child.pid!,
    ip,
    timeToListenMs,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      const at = performance.now();
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const result = await exited;
      return { ...result, ms: performance.now() - at };
    },
  };
}

/** Waits until the program has written a line matching `pattern` (stdout or stderr). */
export async function waitForLine(image: RunningImage, pattern: RegExp, stream: 'stdout' | 'stderr' = 'stdout'): Promise<void> {
  await waitFor(() => pattern.test(image[stream]()), { timeoutMs: 5000, intervalMs: 5, what: `${pattern} on ${stream}` });
}

/** Kills whatever a test left running (afterAll/afterEach). */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One HTTP request on its own connection. */
export function httpRequest(url: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.setTimeout(5000, () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end();
  });
}

/** Resident memory of a process, bytes (VmRSS). */
export function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status);
  if (!kb) throw new Error(`no VmRSS for ${pid}`);
  return Number(kb[1]) * 1024;
}

/** A RESP2 client for tests: sends commands, reads one reply each. */
export class RespClient {
  private buffer = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  /** Resolves when the server closes the connection. */
  readonly ended: Promise<void>;
  private constructor(private readonly socket: net.Socket) {
    this.ended = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static connect(host: string, port: number): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port }, () => resolve(new RespClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends a command as a RESP array of bulk strings; resolves with the decoded reply. */
  async command(...args: string[]): Promise<unknown> {
    this.socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
    return this.reply();
  }

  /** Sends raw bytes (inline commands, pipelines). */
  write(raw: string): void {
    this.socket.write(raw);
  }

  async reply(): Promise<unknown> {
    for (;;) {
      const parsed = parseReply(this.buffer, 0);
      if (parsed) {
        this.buffer = this.buffer.subarray(parsed.next);
        return parsed.value;
      }
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no reply')), 5000);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Bytes received but not read as a reply. */
  unread(): number {
    return this.buffer.length;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Errors decode as { error: text }. */
function parseReply(buffer: Buffer, offset: number): { value: unknown; next: number } | undefined {
  const end = buffer.indexOf('\r\n', offset);
  if (end === -1) return undefined;
  const type = String.fromCharCode(buffer[offset]!);
  const line = buffer.toString('utf8', offset + 1, end);
  switch (type) {
    case '+':
      return { value: line, next: end + 2 };
    case '-':
      return { value: { error: line }, next: end + 2 };
    case ':':
      return { value: Number(line), next: end + 2 };
    case '$': {
      const length = Number(line);
      if (length === -1) return { value: null, next: end + 2 };
      if (buffer.length < end + 2 + length + 2) return undefined;
      return { value: buffer.toString('utf8', end + 2, end + 2 + length), next: end + 2 + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count === -1) return { value: null, next: end + 2 };
      const items: unknown[] = [];
      let next = end + 2;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, next);
        if (!item) return undefined;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`bad reply ${JSON.stringify(buffer.toString('utf8', offset))}`);
  }
}
