import { runStoreBench, STORE_DEFAULTS } from './store-suite';

/** `npm run bench -- <suite> [--operations N] [--concurrency N]`. */
const suites: Record<string, (args: Map<string, number>) => Promise<string>> = {
  store: (args) =>
    runStoreBench({
      operations: args.get('operations') ?? STORE_DEFAULTS.operations,
      concurrency: args.get('concurrency') ?? STORE_DEFAULTS.concurrency,
      valueBytes: args.get('value-bytes') ?? STORE_DEFAULTS.valueBytes,
    }),
};

async function main(argv: string[]): Promise<void> {
  const [suite, ...rest] = argv;
  const run = suite ? suites[suite] : undefined;
  if (!run) {
    console.error(`usage: npm run bench -- <suite> [--operations N] [--concurrency N]\nsuites: ${Object.keys(suites).join(', ')}`);
    process.exit(2);
  }
  const args = new Map<string, number>();
  for (let i = 0; i < rest.length; i += 2) {
    const name = rest[i]!.replace(/^--/, '');
    const value = Number(rest[i + 1]);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number`);
    args.set(name, value);
  }
  console.log((await run(args)) + '\n\n(written to docs/benchmarks.md)');
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
