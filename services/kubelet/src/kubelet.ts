import type { Logger } from '@kubelab/component-base';
import type { KubeletConfig } from './config';

export interface RunningKubelet {
  close(): Promise<void>;
}

/** Assembles the kubelet: node status and lease, runtime, prober, pod workers, kubelet API, stats. */
export async function startKubelet(config: Readonly<KubeletConfig>, log: Logger): Promise<RunningKubelet> {
  void config;
  void log;
  throw new Error('not yet assembled');
}
