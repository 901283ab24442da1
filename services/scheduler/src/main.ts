import { createLogger } from '@kubelab/component-base';
import { parseSchedulerFlags } from './config';
import { startScheduler } from './server';

/** `kubelab scheduler [flags]`: config → logger → scheduler → run until SIGINT/SIGTERM. */
export async function main(argv: string[]): Promise<void> {
  let config;
  try {
    config = parseSchedulerFlags(argv);
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    if (code === 0) process.exit(0);
    if (!(error as { code?: string }).code?.startsWith('commander.')) process.stderr.write(`error: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const log = createLogger('scheduler', config.logLevel);
  const scheduler = await startScheduler(config, log).catch((error: Error) => {
    log.fatal({ err: error.message }, 'scheduler failed to start');
    process.exit(1);
  });
  const stop = (signal: string) => {
    log.info({ signal }, 'shutting down');
    scheduler.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
