import { isAlive, isHealthy } from './processes';
import { readState, type LabState } from './state';
import { formatTable } from './table';

export interface ProcessStatus {
  name: string;
  pid: number;
  address: string;
  running: boolean;
  healthy: boolean;
}

export async function probe(state: LabState): Promise<ProcessStatus[]> {
  return Promise.all(
    state.processes.map(async (p) => {
      const running = isAlive(p);
      return { name: p.name, pid: p.pid, address: p.address, running, healthy: running && (await isHealthy(p.healthUrl)) };
    }),
  );
}

export function formatStatus(statuses: ProcessStatus[]): string {
  return formatTable(
    ['COMPONENT', 'PID', 'ADDRESS', 'HEALTH'],
    statuses.map((s) => [s.name, String(s.pid), s.address, !s.running ? 'not running' : s.healthy ? 'healthy' : 'unhealthy']),
  );
}

/**
 * The lab's nodes (name, role, InternalIP, podCIDR, published host ports) and its Service and
 * load-balancer ranges: where to find things, for people.
 */
export function formatNodes(state: Pick<LabState, 'nodes' | 'network'>): string {
  if (!state.nodes?.length || !state.network) return '';
  const nodes = formatTable(
    ['NODE', 'ROLE', 'INTERNAL-IP', 'POD-CIDR', 'HOST-PORTS'],
    state.nodes.map((n) => [n.name, n.role, n.ip, n.podCIDR, n.published.length ? n.published.join(',') : '<none>']),
  );
  const net = state.network;
  return `${nodes}services ${net.serviceSubnet} (kubernetes ${net.kubernetesServiceIP}, kube-dns ${net.clusterDNS}), load balancers ${net.loadBalancerPool}
`;
}

/** `kubelab status`: each process (the control plane's, then each node's), its pid, address and health; then the nodes. Exit code 0 only if all are healthy. */
export async function status(dir: string): Promise<number> {
  const state = readState(dir);
  if (!state) {
    process.stdout.write(`no lab in ${dir}: start one with \`kubelab up\`\n`);
    return 1;
  }
  const statuses = await probe(state);
  process.stdout.write(`lab in ${state.dir} (profile ${state.profile}, started ${state.startedAt})\n`);
  process.stdout.write(formatStatus(statuses));
  const nodes = formatNodes(state);
  if (nodes) process.stdout.write(`\n${nodes}`);
  return statuses.every((s) => s.healthy) ? 0 : 1;
}
