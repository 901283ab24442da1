import { main as apiserverMain } from '@kubelab/apiserver';
import { main as storeMain } from '@kubelab/store';

/** Every component `kubelab <name>` can run in the foreground. */
export const components: Record<string, { description: string; main(argv: string[]): Promise<void> | void }> = {
  store: { description: 'the etcd v3 API on LevelDB (flags as etcd\'s)', main: storeMain },
  apiserver: { description: 'the Kubernetes API that kubectl drives (flags as kube-apiserver\'s)', main: apiserverMain },
};
