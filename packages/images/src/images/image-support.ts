/**
 * What every built-in image program needs from its "container": the pod's IP to listen on and
 * to connect from, the cluster DNS server and search list, prompt and graceful termination, and
 * log lines written as the real image writes them. Node built-ins only: image programs must start
 * fast and stay small.
 */
import * as dns from 'node:dns';
import * as net from 'node:net';
import * as path from 'node:path';
import { IMAGE_ENV } from '../types';

/** The address a program listens on: the pod's own IP (never 0.0.0.0, so pods on one machine do not collide). */
export function listenHost(): string {
  return process.env[IMAGE_ENV.POD_IP] || '127.0.0.1';
}

/**
 * The ENTRYPOINT of a node image: this Node.js, with a small young generation (a small image's
 * memory stays small under load), running the built program. `moduleFile` is the image file's
 * own __filename; from sources (tests) it names the built twin in dist/.
 */
export function nodeEntrypoint(moduleFile: string): string[] {
  return [process.execPath, '--max-semi-space-size=1', builtProgram(moduleFile)];
}

function builtProgram(moduleFile: string): string {
  if (moduleFile.endsWith('.js')) return moduleFile;
  const source = `${path.sep}src${path.sep}`;
  const at = moduleFile.lastIndexOf(source);
  const built = at === -1 ? moduleFile : `${moduleFile.slice(0, at)}${path.sep}dist${path.sep}${moduleFile.slice(at + source.length)}`;
  return built.replace(/\.ts$/, '.js');
}

/** The image's own tag, as resolveImage puts it in the environment (see each image's envForTag). */
export function imageTag(variable: string, fallback: string): string {
  return process.env[variable] || fallback;
}

/**
 * Log lines to stdout or stderr, batched per turn of the event loop (one write for many
 * requests under load) and flushed before the process exits.
 */
export class LineWriter {
  private pending = '';
  private scheduled = false;
  private static readonly all: LineWriter[] = [];

  constructor(private readonly stream: 'stdout' | 'stderr') {
    LineWriter.all.push(this);
    // Whoever reads the log may go away (EPIPE): the program carries on, as a real one would.
    process[stream].on('error', () => undefined);
  }

  line(text: string): void {
    this.pending += `${text}\n`;
    if (this.pending.length > 65536) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    process[this.stream].write(text);
  }

  /** Writes whatever is pending on every writer (before exit). */
  static flushAll(): void {
    for (const writer of LineWriter.all) writer.flush();
  }
}

/** Two digits. */
export function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** '2006/01/02 15:04:05' in UTC (a container's clock): Go's log package, and nginx's error log. */
export function slashTimestamp(date = new Date()): string {
  return (
    `${date.getUTCFullYear()}/${pad2(date.getUTCMonth() + 1)}/${pad2(date.getUTCDate())} ` +
    `${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())}`
  );
}

// ---------------------------------------------------------------------------------------------
// Cluster DNS: resolv.conf's nameserver, search list and ndots:5, through the cluster's server.

const NDOTS = 5;
let resolver: dns.promises.Resolver | undefined;
let resolverFor: string | undefined;

function clusterResolver(nameserver: string): dns.promises.Resolver {
  if (resolver && resolverFor === nameserver) return resolver;
  resolver = new dns.promises.Resolver({ timeout: 1000, tries: 2 });
  resolver.setServers([nameserver]);
  resolverFor = nameserver;
  return resolver;
}

/** The names tried for `name`, in resolv.conf order: absolute first only when it has ndots dots or more. */
export function searchCandidates(name: string, search: string[], ndots = NDOTS): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const withSearch = search.map((domain) => `${name}.${domain}`);
  const dots = name.split('.').length - 1;
  return dots >= ndots ? [name, ...withSearch] : [...withSearch, name];
}

/**
 * The IPv4 address of `name` as a program in the pod resolves it: IP literals as they are; then
 * the cluster DNS server (KUBELAB_NAMESERVER "ip" or "ip:port") with the search list
 * (KUBELAB_DNS_SEARCH); names it does not know (or without a cluster DNS) through the machine's
 * own resolver (/etc/hosts, ...).
 */
export async function resolveHost(name: string): Promise<string> {
  if (net.isIP(name)) return name;
  const nameserver = process.env[IMAGE_ENV.NAMESERVER];
  if (nameserver) {
    const search = (process.env[IMAGE_ENV.DNS_SEARCH] ?? '').split(/\s+/).filter(Boolean);
    const cluster = clusterResolver(nameserver);
    for (const candidate of searchCandidates(name, search)) {
      try {
        const [address] = await cluster.resolve4(candidate);
        if (address) return address;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // The server is not answering: asking it for the next candidate would only wait again.
        if (code === dns.TIMEOUT || code === dns.CONNREFUSED) break;
      }
    }
  }
  const { address } = await dns.promises.lookup(name.replace(/\.$/, ''), { family: 4 });
  return address;
}

/**
 * A TCP connection from the pod: the name resolved as above, the source address the pod's IP
 * (what the server and kube-proxy see), within `timeoutMs`.
 */
export async function connectTcp(host: string, port: number, timeoutMs = 2000): Promise<net.Socket> {
  const address = await resolveHost(host);
  const localAddress = process.env[IMAGE_ENV.POD_IP];
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address, port, ...(localAddress ? { localAddress } : {}) });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error(`connect ETIMEDOUT ${address}:${port}`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Listening and termination.

/**
 * Listens on the pod's IP; on failure (port taken, no permission) writes the image's own message
 * and exits 1, as the real program would.
 */
export function listen(server: net.Server, port: number, onListening: () => void, onError: (error: NodeJS.ErrnoException) => string): void {
  server.once('error', (error: NodeJS.ErrnoException) => {
    process.stderr.write(`${onError(error)}\n`);
    LineWriter.flushAll();
    process.exit(1);
  });
  server.listen({ port, host: listenHost(), backlog: 511 }, onListening);
}

/**
 * SIGTERM / SIGINT: stop accepting, let in-flight work finish briefly, exit with `exitCode`
 * (0 for most programs; 2 for a Go program, which is how a Go binary running as a container's
 * PID 1 ends on SIGTERM). `onSignal` writes the image's own shutdown lines.
 */
export function exitOnTermination(options: {
  servers: Array<net.Server>;
  exitCode?: number;
  onSignal?: (signal: NodeJS.Signals) => void;
  graceMs?: number;
}): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    options.onSignal?.(signal);
    const exit = (): void => {
      LineWriter.flushAll();
      process.exit(options.exitCode ?? 0);
    };
    let open = options.servers.length;
    if (open === 0) exit();
    for (const server of options.servers) {
      server.close(() => {
        open -= 1;
        if (open === 0) exit();
      });
      const closable = server as net.Server & { closeIdleConnections?: () => void };
      closable.closeIdleConnections?.();
    }
    setTimeout(exit, options.graceMs ?? 500);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
