import { runComponent } from '@kubelab/component-base';
import { parseSchedulerFlags } from './config';
import { startScheduler } from './server';

/** `kubelab scheduler [flags]`: config → logger → scheduler → run until SIGINT/SIGTERM. */
export function main(argv: string[]): Promise<void> {
  return runComponent('scheduler', argv, parseSchedulerFlags, (config, log) => startScheduler(config, log));
}
