import * as os from 'node:os';
import * as path from 'node:path';

/** Where a lab lives: its folder (state, data, logs) and the ports its processes listen on. */
export interface LabLayout {
  dir: string;
  ports: LabPorts;
}

export interface LabPorts {
  nats: number;
  natsMonitor: number;
  store: number;
  storeMetrics: number;
  apiserver: number;
  /** The apiserver's object API for the components (gRPC). */
  apiserverGrpc: number;
  /** /healthz and /metrics of kube-scheduler and kube-controller-manager. */
  scheduler: number;
  controllerManager: number;
}

/** The ports a person expects: NATS's, etcd's (2381 is where kubeadm puts etcd's metrics), and the control plane's own. */
const WELL_KNOWN: LabPorts = { nats: 4222, natsMonitor: 8222, store: 2379, storeMetrics: 2381, apiserver: 6443, apiserverGrpc: 6444, scheduler: 10259, controllerManager: 10257 };

export const DEFAULT_LAB_DIR = path.join(os.homedir(), '.kubelab');

/** The well-known ports, or with `basePort` consecutive ports from it (to run labs side by side). */
export function labLayout(dir: string, basePort?: number): LabLayout {
  if (basePort === undefined) return { dir: path.resolve(dir), ports: { ...WELL_KNOWN } };
  const names = Object.keys(WELL_KNOWN) as Array<keyof LabPorts>;
  const ports = Object.fromEntries(names.map((name, i) => [name, basePort + i])) as unknown as LabPorts;
  return { dir: path.resolve(dir), ports };
}

export const paths = {
  state: (dir: string) => path.join(dir, 'lab.json'),
  logs: (dir: string) => path.join(dir, 'logs'),
  data: (dir: string, component: string) => path.join(dir, 'data', component),
  kubeconfig: (dir: string) => path.join(dir, 'kubeconfig'),
  /** A node's static pod manifests (its kubelet's --pod-manifest-path; /etc/kubernetes/manifests on a kubeadm node). */
  manifests: (dir: string, node: string) => path.join(dir, 'manifests', node),
};
