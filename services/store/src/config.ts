import { Command, InvalidArgumentError } from 'commander';
import { parseDuration } from '@kubelab/component-base';

/** The store's settings. Flags carry etcd's names and defaults. */
export interface StoreConfig {
  name: string;
  dataDir: string;
  listenClientUrls: URL[];
  advertiseClientUrls: string[];
  initialAdvertisePeerUrls: string[];
  listenMetricsUrls: URL[];
  autoCompactionMode: 'periodic' | 'revision';
  /** periodic: milliseconds of history to keep; revision: how many revisions to keep; 0: off. */
  autoCompactionRetention: number;
  maxTxnOps: number;
  maxRequestBytes: number;
  progressNotifyIntervalMs: number;
  natsUrl: string | undefined;
  logLevel: string;
}

export function parseStoreFlags(argv: string[]): StoreConfig {
  const program = new Command('kubelab store')
    .description('An etcd v3 API server (KV, Watch, Lease, Maintenance, Cluster) with MVCC on LevelDB')
    .option('--name <name>', 'human-readable name for this member', 'default')
    .option('--data-dir <path>', 'path to the data directory (default: ${name}.etcd)')
    .option('--listen-client-urls <urls>', 'list of URLs to listen on for client traffic', 'http://127.0.0.1:2379')
    .option('--advertise-client-urls <urls>', 'list of this member\'s client URLs to advertise to the public', 'http://127.0.0.1:2379')
    .option('--initial-advertise-peer-urls <urls>', 'list of this member\'s peer URLs (shown by member list)', 'http://localhost:2380')
    .option('--listen-metrics-urls <urls>', 'list of URLs to serve /health, /healthz, /readyz and /metrics on', 'http://127.0.0.1:2381')
    .option('--auto-compaction-mode <mode>', 'interpret auto-compaction-retention as "periodic" (a duration) or "revision" (a count)', 'periodic')
    .option('--auto-compaction-retention <value>', 'auto compaction retention: hours or a duration (periodic), revisions (revision); 0 disables', '0')
    .option('--max-txn-ops <n>', 'maximum number of operations permitted in a transaction', integer, 128)
    .option('--max-request-bytes <n>', 'maximum client request size in bytes the server will accept', integer, 1.5 * 1024 * 1024)
    .option('--experimental-watch-progress-notify-interval <duration>', 'duration of periodic watch progress notifications', '10m')
    .option('--nats-url <url>', 'NATS server for announcements and telemetry (optional)')
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  program.parse(argv, { from: 'user' });
  const o = program.opts<Record<string, string | number | undefined>>();
  const mode = String(o['autoCompactionMode']);
  if (mode !== 'periodic' && mode !== 'revision') throw new Error(`unknown auto-compaction-mode "${mode}": use periodic or revision`);
  const name = String(o['name']);
  return Object.freeze({
    name,
    dataDir: String(o['dataDir'] ?? `${name}.etcd`),
    listenClientUrls: urls(String(o['listenClientUrls'])),
    advertiseClientUrls: list(String(o['advertiseClientUrls'])),
    initialAdvertisePeerUrls: list(String(o['initialAdvertisePeerUrls'])),
    listenMetricsUrls: urls(String(o['listenMetricsUrls'])),
    autoCompactionMode: mode,
    autoCompactionRetention: retention(mode, String(o['autoCompactionRetention'])),
    maxTxnOps: Number(o['maxTxnOps']),
    maxRequestBytes: Number(o['maxRequestBytes']),
    progressNotifyIntervalMs: parseDuration(String(o['experimentalWatchProgressNotifyInterval'])),
    natsUrl: o['natsUrl'] === undefined ? undefined : String(o['natsUrl']),
    logLevel: String(o['logLevel']),
  });
}

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function urls(value: string): URL[] {
  return list(value).map((item) => {
    const url = new URL(item);
    if (url.protocol !== 'http:') throw new Error(`unsupported URL scheme in ${item}: only http:// is served (no TLS yet)`);
    return url;
  });
}

/** etcd reads a bare number as hours in periodic mode ("1" = 1h) and as a revision count otherwise. */
function retention(mode: string, value: string): number {
  if (mode === 'revision') {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new Error(`invalid auto-compaction-retention "${value}" for revision mode`);
    return n;
  }
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 3_600_000;
  return parseDuration(value);
}
