import { parseArgs } from 'node:util';
import { APISERVER_DEFAULTS, runApiserverBench } from './apiserver-suite';
import { PODS_DEFAULTS, runPodsBench } from './pods-suite';
import { BENCHMARKS_MD } from './report';
import { runSchedulerBench, SCHEDULER_DEFAULTS } from './scheduler-suite';
import { runStoreBench, STORE_DEFAULTS } from './store-suite';

/** `npm run bench -- <suite> [options]`; each suite rewrites its section of docs/benchmarks.md (or --out). */
const USAGE = `usage: npm run bench -- <suite> [--operations N] [--concurrency N] [--value-bytes N] [--watch-rate N] [--watch-seconds N] [--out FILE]
suites: store, apiserver (apiserver options: --creates N --clients N --list-pods N --warmup N), scheduler (scheduler options: --nodes N --pods N),
        pods (pods options: --replicas N --requests N --concurrency N)`;

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      operations: { type: 'string' },
      concurrency: { type: 'string' },
      'value-bytes': { type: 'string' },
      'watch-rate': { type: 'string' },
      'watch-seconds': { type: 'string' },
      creates: { type: 'string' },
      clients: { type: 'string' },
      'list-pods': { type: 'string' },
      warmup: { type: 'string' },
      nodes: { type: 'string' },
      pods: { type: 'string' },
      replicas: { type: 'string' },
      requests: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const number = (name: keyof typeof values, fallback: number): number => {
    const raw = values[name];
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} needs a positive whole number, not "${raw}"`);
    return value;
  };
  const out = values.out ?? BENCHMARKS_MD;
  const suites = new Map<string, () => Promise<string>>([
    [
      'store',
      () =>
        runStoreBench(
          {
            operations: number('operations', STORE_DEFAULTS.operations),
            concurrency: number('concurrency', STORE_DEFAULTS.concurrency),
            valueBytes: number('value-bytes', STORE_DEFAULTS.valueBytes),
            watchRate: number('watch-rate', STORE_DEFAULTS.watchRate),
            watchSeconds: number('watch-seconds', STORE_DEFAULTS.watchSeconds),
          },
          out,
        ),
    ],
    ['apiserver', () => runApiserverBench({ creates: number('creates', APISERVER_DEFAULTS.creates), clients: number('clients', APISERVER_DEFAULTS.clients), listPods: number('list-pods', APISERVER_DEFAULTS.listPods), warmup: number('warmup', APISERVER_DEFAULTS.warmup) }, out)],
    ['pods', () => runPodsBench({ replicas: number('replicas', PODS_DEFAULTS.replicas), requests: number('requests', PODS_DEFAULTS.requests), concurrency: number('concurrency', PODS_DEFAULTS.concurrency) }, out)],
    ['scheduler', () => runSchedulerBench({ nodes: number('nodes', SCHEDULER_DEFAULTS.nodes), pods: number('pods', SCHEDULER_DEFAULTS.pods) }, out)],
  ]);
  const run = positionals.length === 1 ? suites.get(positionals[0]!) : undefined;
  if (!run) {
    console.error(USAGE);
    process.exit(2);
  }
  const markdown = await run();
  console.log(`${markdown}\n\n(written to ${out})`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
