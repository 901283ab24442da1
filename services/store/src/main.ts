import { runComponent } from '@kubelab/component-base';
import { parseStoreFlags } from './config';
import { startStore } from './store';

/** `kubelab store [flags]`: config → logger → store → run until SIGINT/SIGTERM. */
export function main(argv: string[]): Promise<void> {
  return runComponent('store', argv, parseStoreFlags, startStore);
}
