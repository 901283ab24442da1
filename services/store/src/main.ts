import { createLogger } from '@kubelab/component-base';
import { parseStoreFlags } from './config';
import { startStore } from './store';

/** `kubelab store [flags]`: config → logger → store → run until SIGINT/SIGTERM. */
export async function main(argv: string[]): Promise<void> {
  let config;
  try {
    config = parseStoreFlags(argv);
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    if (code === 0) process.exit(0);
    if (!(error as { code?: string }).code?.startsWith('commander.')) process.stderr.write(`error: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const log = createLogger('store', config.logLevel);
  const store = await startStore(config, log).catch((error: Error) => {
    log.fatal({ err: error.message }, 'store failed to start');
    process.exit(1);
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    store.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
