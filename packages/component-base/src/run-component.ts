import { createLogger, type Logger } from './logger';

/**
 * The `main` of every component: parse the flags (bad flags: the message and exit 2, `--help`:
 * exit 0), one root logger, start, then run until SIGINT / SIGTERM and close cleanly (exit 0,
 * or 1 if closing failed; a second signal while closing is ignored).
 */
export async function runComponent<C extends { logLevel: string }>(
  component: string,
  argv: string[],
  parse: (argv: string[]) => C,
  start: (config: C, log: Logger) => Promise<{ close(): Promise<void> }>,
): Promise<void> {
  let config: C;
  try {
    config = parse(argv);
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    if (code === 0) process.exit(0);
    if (!(error as { code?: string }).code?.startsWith('commander.')) process.stderr.write(`error: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const log = createLogger(component, config.logLevel);
  const running = await start(config, log).catch((error: Error) => {
    log.fatal({ err: error.message }, `${component} failed to start`);
    process.exit(1);
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
