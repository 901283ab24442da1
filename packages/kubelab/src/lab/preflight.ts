import * as net from 'node:net';
import type { LabLayout, LabPorts } from './layout';
import { NODE_PORTS } from './process-table';
import type { NetworkPlan } from './network';
import type { Topology } from './topology';

/** Whether something already listens on ip:port (EADDRINUSE). Other errors (no privilege for a low port) say nothing about other labs. */
function inUse(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE'));
    server.listen({ host: ip, port, exclusive: true }, () => server.close(() => resolve(false)));
  });
}

/** The control plane's ports as people know them (`layout.ts`). */
const PORT_NAMES: Record<keyof LabPorts, string> = {
  nats: 'NATS',
  natsMonitor: 'NATS monitoring',
  store: 'store',
  storeMetrics: 'store metrics',
  apiserver: 'apiserver',
  apiserverGrpc: 'apiserver gRPC',
  scheduler: 'scheduler',
  controllerManager: 'controller-manager',
};

/** The lab's well-known ports where Debian's packages run their own servers (systemd services, enabled at install). */
const DEBIAN_SERVICES: Readonly<Record<number, string>> = { 4222: 'nats-server', 2379: 'etcd' };

/**
 * Before starting anything: the lab's addresses must be its own. A control-plane port on 127.0.0.1
 * already served (another lab, or another server: Debian's nats-server and etcd services take 4222 and 2379) would
 * fail the process that needs it while the other one answers its health checks. A node IP whose
 * kubelet or kube-proxy port is taken, or a kube-dns address already served, means another lab uses
 * these ranges; a taken host port would fail the kube-proxy that publishes it. Returns the
 * problems, one line each.
 */
export async function preflight(topology: Topology, network: NetworkPlan, layout: LabLayout): Promise<string[]> {
  const problems: string[] = [];
  const otherPorts = 'another lab may use these ports: start this one with `--base-port N` (it takes N to N+7)';
  for (const [name, port] of Object.entries(layout.ports) as Array<[keyof LabPorts, number]>) {
    if (!(await inUse('127.0.0.1', port))) continue;
    const service = DEBIAN_SERVICES[port];
    const debian = service ? `; Debian's ${service} service may hold it: stop it with \`sudo systemctl disable --now ${service}\`` : '';
    problems.push(`port 127.0.0.1:${port} (${PORT_NAMES[name]}) is in use; ${otherPorts}${debian}`);
  }
  const elsewhere = 'another lab may use these addresses: start this one with `--subnet 127.X.0.0/16` or other networking ranges in --config';
  for (const node of network.nodes) {
    for (const port of [NODE_PORTS.kubelet, NODE_PORTS.kubeletHealthz, NODE_PORTS.kubeProxyHealthz]) {
      if (await inUse(node.ip, port)) {
        problems.push(`node IP ${node.ip} (${node.name}) is in use: port ${port} is taken; ${elsewhere}`);
        break;
      }
    }
  }
  if (await inUse(network.clusterDNS, 53)) problems.push(`the cluster DNS address ${network.clusterDNS}:53 is in use (service range ${network.serviceSubnet}); ${elsewhere}`);
  for (const node of topology.nodes) {
    for (const m of node.extraPortMappings) {
      if (await inUse(m.listenAddress, m.hostPort)) problems.push(`host port ${m.listenAddress}:${m.hostPort} (extraPortMappings of ${node.name}) is in use`);
    }
  }
  return problems;
}
