import { main as apiserverMain } from '@kubelab/apiserver';
import { main as controllerManagerMain } from '@kubelab/controller-manager';
import { main as kubeProxyMain } from '@kubelab/kube-proxy';
import { main as kubeletMain } from '@kubelab/kubelet';
import { main as schedulerMain } from '@kubelab/scheduler';
import { main as storeMain } from '@kubelab/store';

/** Every component `kubelab <name>` can run in the foreground. */
export const components: Record<string, { description: string; main(argv: string[]): Promise<void> | void }> = {
  store: { description: 'the etcd v3 API on LevelDB (flags as etcd\'s)', main: storeMain },
  apiserver: { description: 'the Kubernetes API that kubectl drives (flags as kube-apiserver\'s)', main: apiserverMain },
  scheduler: { description: 'assigns pods to nodes (flags as kube-scheduler\'s)', main: schedulerMain },
  'controller-manager': { description: 'the controllers that make actual state follow desired state (flags as kube-controller-manager\'s)', main: controllerManagerMain },
  kubelet: { description: 'runs the pods bound to one node as real processes (flags as the kubelet\'s)', main: kubeletMain },
  'kube-proxy': { description: 'forwards Service traffic on one node and answers cluster DNS (flags as kube-proxy\'s)', main: kubeProxyMain },
};
