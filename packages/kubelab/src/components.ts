/**
 * Every component `kubelab <name>` can run in the foreground. Each is loaded only when run, so
 * `kubelab store` does not load the kubelet (and starts faster).
 */
type Main = (argv: string[]) => Promise<void> | void;
const load = (pkg: string): Main => (argv) => (require(pkg) as { main: Main }).main(argv);

export const components: Record<string, { description: string; main: Main }> = {
  store: { description: "the etcd v3 API on LevelDB (flags as etcd's)", main: load('@kubelab/store') },
  apiserver: { description: "the Kubernetes API that kubectl drives (flags as kube-apiserver's)", main: load('@kubelab/apiserver') },
  scheduler: { description: "assigns pods to nodes (flags as kube-scheduler's)", main: load('@kubelab/scheduler') },
  'controller-manager': { description: "the controllers that make actual state follow desired state (flags as kube-controller-manager's)", main: load('@kubelab/controller-manager') },
  kubelet: { description: "runs the pods bound to one node as real processes (flags as the kubelet's)", main: load('@kubelab/kubelet') },
  'kube-proxy': { description: "forwards Service traffic on one node and answers cluster DNS (flags as kube-proxy's)", main: load('@kubelab/kube-proxy') },
};
