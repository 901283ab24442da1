import { runComponent } from '@kubelab/component-base';
import { startApiserver } from './apiserver';
import { parseApiserverFlags } from './config';

/** `kubelab apiserver [flags]`: config → logger → apiserver → run until SIGINT/SIGTERM. */
export function main(argv: string[]): Promise<void> {
  return runComponent('apiserver', argv, parseApiserverFlags, startApiserver);
}
