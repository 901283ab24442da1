import pino from 'pino';

export type Logger = pino.Logger;

/**
 * The one root logger of a process. Components pass `logger.child({ component, node })` down.
 * Logs go to stdout as JSON lines; `kubelab up` sends each process's stdout to its own log file.
 */
export function createLogger(component: string, level = 'info', extra: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { component, ...extra }, timestamp: pino.stdTimeFunctions.isoTime });
}
