import { runComponent } from '@kubelab/component-base';
import { parseKubeletFlags } from './config';
import { startKubelet } from './kubelet';

/** `kubelab kubelet --node-name N [flags]`: config → logger → kubelet → run until SIGINT/SIGTERM. */
export function main(argv: string[]): Promise<void> {
  return runComponent('kubelet', argv, parseKubeletFlags, (config, log) => startKubelet(config, log));
}
