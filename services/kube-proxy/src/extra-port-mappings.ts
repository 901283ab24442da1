import { isIPv4 } from 'node:net';
import type { Clock } from '@kubelab/client';
import type { Logger } from '@kubelab/component-base';
import { ProxySocket } from './proxy-socket';

/** kind's extraPortMappings entry of a node: a host port published to a port of the node. */
export interface ExtraPortMapping {
  listenAddress: string;
  hostPort: number;
  containerPort: number;
}

/**
 * Parses `--extra-port-mappings`: `listenAddress:hostPort:containerPort` (or `hostPort:containerPort`,
 * listening on kind's default 0.0.0.0), comma-separated.
 */
export function parseExtraPortMappings(value: string): ExtraPortMapping[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const parts = entry.split(':');
      const [listenAddress, hostPort, containerPort] = parts.length === 2 ? ['0.0.0.0', ...parts] : parts;
      const port = (p: string | undefined) => (p !== undefined && /^\d+$/.test(p) && Number(p) >= 1 && Number(p) <= 65535 ? Number(p) : undefined);
      if (parts.length < 2 || parts.length > 3 || !isIPv4(listenAddress ?? '') || port(hostPort) === undefined || port(containerPort) === undefined) {
        throw new Error(`"${entry}" is not an extra port mapping (listenAddress:hostPort:containerPort)`);
      }
      return { listenAddress: listenAddress!, hostPort: port(hostPort)!, containerPort: port(containerPort)! };
    });
}

/**
 * The node's extraPortMappings, done as Docker publishes a kind node's ports: listen on
 * listenAddress:hostPort of the host and forward every connection to <node IP>:containerPort
 * (typically a NodePort this kube-proxy serves).
 */
export class ExtraPortMappings {
  private readonly sockets: ProxySocket[];

  constructor(mappings: readonly ExtraPortMapping[], nodeIP: string, options: { retryMs: number; clock: Clock; log: Logger }) {
    this.sockets = mappings.map((mapping) => {
      const socket = new ProxySocket({ address: mapping.listenAddress, port: mapping.hostPort, kind: 'extraPortMapping', pick: (route, _client, exclude) => route.endpoints.find((e) => !exclude.has(e.key)), ...options });
      const target = { key: `${nodeIP}:${mapping.containerPort}`, ip: nodeIP, port: mapping.containerPort, nodeName: undefined, ready: true, serving: true, terminating: false };
      socket.setRoute({ servicePort: `extraPortMapping ${mapping.listenAddress}:${mapping.hostPort}->${target.key}`, endpoints: [target], stickyMaxAgeSeconds: undefined });
      return socket;
    });
  }

  /** How many mappings listen now. */
  get listening(): number {
    return this.sockets.filter((s) => s.listening).length;
  }

  async close(): Promise<void> {
    await Promise.all(this.sockets.map((s) => s.close()));
  }
}
