import type { Logger } from '@kubelab/component-base';
import type { GenericRegistry } from '../registry/generic-registry';
import type { KubeletClientPool } from './kubelet-client';

/** What the streaming subresources (log, exec, attach, portforward) need: the pods and nodes, and the kubelets. */
export interface StreamingContext {
  registry: GenericRegistry;
  kubelets: KubeletClientPool;
  log: Logger;
}
