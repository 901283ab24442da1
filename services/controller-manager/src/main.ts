import { runComponent } from '@kubelab/component-base';
import { parseControllerManagerFlags } from './config';
import { startControllerManager } from './controller-manager';

/** `kubelab controller-manager [flags]`: config → logger → controllers → run until SIGINT/SIGTERM. */
export function main(argv: string[]): Promise<void> {
  return runComponent('controller-manager', argv, parseControllerManagerFlags, (config, log) => startControllerManager(config, log));
}
