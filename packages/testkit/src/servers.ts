import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GiveUp, kubeconfigYaml, waitFor } from '@kubelab/component-base';
import { freePort } from './ports';

/** The repository root (this file runs from packages/testkit/dist) and the built `kubelab` command. */
export const ROOT = path.resolve(__dirname, '../../..');
export const KUBELAB = path.join(ROOT, 'packages/kubelab/bin/kubelab.js');

/** A server process under test: the real kubelab store or the real etcd, on loopback. */
export interface ServerProcess {
  kind: 'kubelab' | 'etcd';
  endpoint: string;
  dataDir: string;
  child: ChildProcess;
  /** Prometheus metrics (`--listen-metrics-urls`), for a kubelab store or an etcd. */
  metricsUrl?: string;
  log(): string;
  /** Stops it (SIGTERM, or SIGKILL for a crash) and waits until it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `kubelab-${prefix}-`));
}

/** Starts `kubelab store` on free ports and waits until it answers etcd clients. */
export async function startKubelabStore(options: { dataDir?: string; port?: number; args?: string[] } = {}): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? tempDir('store');
  const port = options.port ?? (await freePort());
  const metricsPort = await freePort();
  const args = [
    KUBELAB,
    'store',
    '--data-dir',
    dataDir,
    '--listen-client-urls',
    `http://127.0.0.1:${port}`,
    '--advertise-client-urls',
    `http://127.0.0.1:${port}`,
    '--listen-metrics-urls',
    `http://127.0.0.1:${metricsPort}`,
    ...(options.args ?? []),
  ];
  return launch('kubelab', process.execPath, args, dataDir, port, `http://127.0.0.1:${metricsPort}/health`, options.dataDir === undefined);
}

/** Starts the real etcd 3.4 (Debian's etcd-server) on free ports. */
export async function startEtcd(options: { dataDir?: string; args?: string[] } = {}): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? tempDir('etcd');
  const port = await freePort();
  const peerPort = await freePort();
  const metricsPort = await freePort();
  const args = [
    '--data-dir',
    dataDir,
    '--listen-client-urls',
    `http://127.0.0.1:${port}`,
    '--advertise-client-urls',
    `http://127.0.0.1:${port}`,
    '--listen-peer-urls',
    `http://127.0.0.1:${peerPort}`,
    '--initial-advertise-peer-urls',
    `http://127.0.0.1:${peerPort}`,
    '--initial-cluster',
    `default=http://127.0.0.1:${peerPort}`,
    '--listen-metrics-urls',
    `http://127.0.0.1:${metricsPort}`,
    ...(options.args ?? []),
  ];
  return launch('etcd', 'etcd', args, dataDir, port, `http://127.0.0.1:${metricsPort}/health`, options.dataDir === undefined);
}

/** Starts a server and waits for its health URL; a data dir testkit made (`ownsDir`) is removed when it stops. */
async function launch(kind: 'kubelab' | 'etcd', command: string, args: string[], dataDir: string, port: number, healthUrl: string, ownsDir: boolean): Promise<ServerProcess> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const server: ServerProcess = {
    kind,
    endpoint: `127.0.0.1:${port}`,
    dataDir,
    child,
    metricsUrl: healthUrl.endsWith('/health') ? healthUrl.replace(/\/health$/, '/metrics') : undefined,
    log: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
      if (ownsDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new GiveUp(`${kind} exited with ${child.exitCode}: ${output}`);
        const res = await fetch(healthUrl);
        return res.ok;
      },
      { timeoutMs: 20_000, what: `${kind} health at ${healthUrl}` },
    );
  } catch (error) {
    await server.stop('SIGKILL');
    throw error;
  }
  return server;
}

/** A running `kubelab apiserver` on a free port, with a kubeconfig for the real kubectl. */
export interface ApiserverProcess extends ServerProcess {
  url: string;
  kubeconfig: string;
  /** The object API (gRPC) for the components: `127.0.0.1:<grpcPort>`. */
  grpcPort: number;
  grpcEndpoint: string;
}

/** Starts `kubelab apiserver` against an etcd v3 endpoint (the kubelab store or a real etcd). */
export async function startKubelabApiserver(etcdEndpoint: string, options: { args?: string[]; port?: number; grpcPort?: number } = {}): Promise<ApiserverProcess> {
  const port = options.port ?? (await freePort());
  const grpcPort = options.grpcPort ?? (await freePort());
  const dir = tempDir('apiserver');
  const args = [KUBELAB, 'apiserver', '--etcd-servers', `http://${etcdEndpoint}`, '--port', String(port), '--grpc-port', String(grpcPort), ...(options.args ?? [])];
  const server = await launch('kubelab', process.execPath, args, dir, port, `http://127.0.0.1:${port}/readyz`, true);
  const url = `http://127.0.0.1:${port}`;
  const kubeconfig = path.join(dir, 'kubeconfig');
  fs.writeFileSync(kubeconfig, kubeconfigYaml(url, 'test'));
  return { ...server, url, kubeconfig, grpcPort, grpcEndpoint: `127.0.0.1:${grpcPort}` };
}

/**
 * Starts a control-plane component (`kubelab scheduler`, `kubelab controller-manager`) against an
 * apiserver's object API, on a free health port, and waits until it serves /healthz.
 */
export async function startKubelabComponent(component: 'scheduler' | 'controller-manager', apiserver: Pick<ApiserverProcess, 'grpcEndpoint'>, args: string[] = []): Promise<ServerProcess> {
  const port = await freePort();
  const dir = tempDir(component);
  const argv = [KUBELAB, component, '--master', apiserver.grpcEndpoint, '--port', String(port), ...args];
  return launch('kubelab', process.execPath, argv, dir, port, `http://127.0.0.1:${port}/healthz`, true);
}
