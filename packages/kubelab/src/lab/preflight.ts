import * as net from 'node:net';
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

/**
 * Before starting anything: the lab's addresses must be its own. A node IP whose kubelet or kube-proxy
 * port is taken, or a kube-dns address already served, means another lab uses these ranges; a taken host
 * port would fail the kube-proxy that publishes it. Returns the problems, one line each.
 */
export async function preflight(topology: Topology, network: NetworkPlan): Promise<string[]> {
  const problems: string[] = [];
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
