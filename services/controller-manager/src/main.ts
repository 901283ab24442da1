import { createLogger } from '@kubelab/component-base';
import { parseControllerManagerFlags } from './config';
import { startControllerManager } from './controller-manager';

/** `kubelab controller-manager [flags]`: config → logger → controllers → run until SIGINT/SIGTERM. */
export async function main(argv: string[]): Promise<void> {
  let config;
  try {
    config = parseControllerManagerFlags(argv);
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    if (code === 0) process.exit(0);
    if (!(error as { code?: string }).code?.startsWith('commander.')) process.stderr.write(`error: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const log = createLogger('controller-manager', config.logLevel);
  const manager = await startControllerManager(config, log).catch((error: Error) => {
    log.fatal({ err: error.message }, 'controller-manager failed to start');
    process.exit(1);
  });
  const stop = (signal: string) => {
    log.info({ signal }, 'shutting down');
    manager.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
