import { runComponent } from '@kubelab/component-base';
import { parseKubeProxyFlags } from './config';
import { startKubeProxy } from './server';

/** `kubelab kube-proxy --node-name N [flags]`: config → logger → informers, proxier, cluster DNS → run until SIGINT/SIGTERM. */
export function main(argv: string[]): Promise<void> {
  return runComponent('kube-proxy', argv, parseKubeProxyFlags, (config, log) => startKubeProxy(config, log));
}
