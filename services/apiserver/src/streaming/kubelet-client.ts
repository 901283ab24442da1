import * as grpc from '@grpc/grpc-js';
import * as net from 'node:net';
import { ApiError, failureStatus, type Status } from '@kubelab/apimachinery';
import { loadKubeletApi, STATUS_METADATA_KEY, type ContainerLogsRequest, type LogChunk, type PortForwardRequest, type PortForwardResponse, type StreamRequest, type StreamResponse } from '@kubelab/proto';
import { lookup } from '../registry/catalog';
import type { GenericRegistry } from '../registry/generic-registry';
import type { KubeObject } from '../registry/types';

/** Where a node's kubelet API listens (Kubernetes' client.ConnectionInfo). */
export interface KubeletEndpoint {
  host: string;
  port: number;
}

/** The kubelet's port when the Node does not say (status.daemonEndpoints.kubeletEndpoint.Port). */
export const DEFAULT_KUBELET_PORT = 10250;

/** The node address kinds the apiserver tries, in order (kube-apiserver --kubelet-preferred-address-types, as kind sets it). */
const PREFERRED_ADDRESS_TYPES = ['InternalIP', 'ExternalIP', 'Hostname'];

/** The calls of proto/kubelab/kubelet.proto, as the apiserver makes them. */
export interface KubeletClient {
  ContainerLogs(request: ContainerLogsRequest): grpc.ClientReadableStream<LogChunk>;
  Exec(): grpc.ClientDuplexStream<StreamRequest, StreamResponse>;
  Attach(): grpc.ClientDuplexStream<StreamRequest, StreamResponse>;
  PortForward(): grpc.ClientDuplexStream<PortForwardRequest, PortForwardResponse>;
}

/**
 * Finds a node's kubelet and keeps one gRPC channel per kubelet endpoint (Kubernetes'
 * NodeConnectionInfoGetter plus its transport): the Node object says where
 * (status.addresses, status.daemonEndpoints.kubeletEndpoint.Port). A kubelet that went away is
 * retried quickly, so a restarted kubelet answers again within a second.
 */
export class KubeletClientPool {
  private readonly clients = new Map<string, KubeletClient & grpc.Client>();

  constructor(private readonly registry: GenericRegistry) {}

  /** The node's kubelet endpoint; NotFound if the node does not exist (`nodes "x" not found`). */
  async endpointFor(nodeName: string): Promise<KubeletEndpoint> {
    const node = await this.registry.get(lookup('', 'v1', 'nodes')!, undefined, nodeName);
    return kubeletEndpointOf(node);
  }

  client(endpoint: KubeletEndpoint): KubeletClient {
    const key = `${endpoint.host}:${endpoint.port}`;
    let client = this.clients.get(key);
    if (!client) {
      const { Kubelet } = loadKubeletApi();
      client = new Kubelet(key, grpc.credentials.createInsecure(), {
        'grpc.initial_reconnect_backoff_ms': 100,
        'grpc.max_reconnect_backoff_ms': 1_000,
        'grpc.max_receive_message_length': 16 * 1024 * 1024,
        'grpc.enable_channelz': 0,
      }) as unknown as KubeletClient & grpc.Client;
      this.clients.set(key, client);
    }
    return client;
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}

/** The kubelet endpoint a Node advertises. */
export function kubeletEndpointOf(node: KubeObject): KubeletEndpoint {
  const status = (node.status ?? {}) as { addresses?: Array<{ type?: string; address?: string }>; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } };
  const addresses = status.addresses ?? [];
  for (const type of PREFERRED_ADDRESS_TYPES) {
    const found = addresses.find((address) => address.type === type && address.address);
    if (found) return { host: found.address!, port: status.daemonEndpoints?.kubeletEndpoint?.Port || DEFAULT_KUBELET_PORT };
  }
  const known = addresses.map((address) => `{${address.type ?? ''} ${address.address ?? ''}}`).join(' ');
  throw backendError(`no preferred addresses found; known addresses: [${known}]`);
}

/** The Kubernetes Status a kubelet answered a failed call with, if it did. */
export function kubeletStatus(error: unknown): Status | undefined {
  const value = (error as Partial<grpc.ServiceError>)?.metadata?.get(STATUS_METADATA_KEY)[0];
  if (value === undefined) return undefined;
  try {
    const status = JSON.parse(Buffer.isBuffer(value) ? value.toString('utf8') : String(value)) as Status;
    return status && status.kind === 'Status' && typeof status.code === 'number' ? status : undefined;
  } catch {
    return undefined;
  }
}

/** How Go words a failed dial, from Node's error code. */
const DIAL_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connect: connection refused',
  EHOSTUNREACH: 'connect: no route to host',
  ENETUNREACH: 'connect: network is unreachable',
  EADDRNOTAVAIL: 'connect: cannot assign requested address',
  ETIMEDOUT: 'i/o timeout',
  ECONNRESET: 'read: connection reset by peer',
};

/**
 * `dial tcp 127.18.0.2:10250: connect: connection refused` for a call that never reached the
 * kubelet (no Status came back); undefined for any other failure.
 */
export function dialErrorText(error: unknown, endpoint: KubeletEndpoint): string | undefined {
  const serviceError = error as Partial<grpc.ServiceError>;
  if (kubeletStatus(error) || serviceError?.code !== grpc.status.UNAVAILABLE) return undefined;
  const details = serviceError.details ?? '';
  const code = Object.keys(DIAL_ERRORS).find((errno) => details.includes(errno));
  return `dial tcp ${endpoint.host}:${endpoint.port}: ${code ? DIAL_ERRORS[code] : details}`;
}

/**
 * Opens (and closes) a TCP connection to the kubelet, as the apiserver dials a backend before it
 * upgrades a connection: `dial tcp ...: connect: connection refused` if nobody listens.
 */
export function dialKubelet(endpoint: KubeletEndpoint, timeoutMs = 5_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: endpoint.host, port: endpoint.port });
    const done = (why: string | undefined) => {
      socket.destroy();
      resolve(why);
    };
    socket.setTimeout(timeoutMs, () => done(`dial tcp ${endpoint.host}:${endpoint.port}: i/o timeout`));
    socket.once('connect', () => done(undefined));
    socket.once('error', (error: NodeJS.ErrnoException) => done(`dial tcp ${endpoint.host}:${endpoint.port}: ${DIAL_ERRORS[error.code ?? ''] ?? error.message}`));
  });
}

/** A kubelet failure that is not a Status: a 500 whose message is the error's (reason empty, as Kubernetes answers). */
export function backendError(message: string): ApiError {
  return new ApiError(failureStatus(500, '', message));
}
