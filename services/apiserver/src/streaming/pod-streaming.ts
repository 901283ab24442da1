import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '@kubelab/component-base';
import { WebSocketServer } from 'ws';
import { Errors } from '../errors';
import { parseRequestPath } from '../endpoints/request-info';
import type { GenericRegistry } from '../registry/generic-registry';
import type { ResourceType } from '../registry/types';
import { CHANNEL_PROTOCOL_NAMES, negotiateChannelProtocol } from './channel-protocol';
import { backendError, dialKubelet, KubeletClientPool } from './kubelet-client';
import { getPod, podLocation, requireNode } from './pod-location';
import { servePodLog } from './pod-log';
import { PORT_FORWARD_PROTOCOL, servePortForward, SPDY_TUNNELING_PREFIX } from './port-forward';
import { serveProxy } from './proxy';
import { remoteCommandOptions, type RemoteCommandTarget } from './remote-command';
import { SPDY_REMOTE_COMMAND_PROTOCOLS, serveRemoteCommandSpdy } from './remote-command-spdy';
import { serveRemoteCommandWebSocket } from './remote-command-websocket';
import type { SpdySession } from './spdy/session';
import type { StreamingContext } from './streaming-context';
import { acceptSpdy, acceptWebSocket, isSpdyRequest, isWebSocketRequest, offeredStreamProtocols, offeredWebSocketProtocols, protocolToken, rejectUpgrade, spdyOverWebSocket } from './upgrade';

/** The pod subresources that stream from a kubelet, and the proxies to pods and services. */
export const STREAMING_SUBRESOURCES = ['log', 'exec', 'attach', 'portforward', 'proxy'] as const;
export type StreamingSubresource = (typeof STREAMING_SUBRESOURCES)[number];

const TUNNELED_PORT_FORWARD = SPDY_TUNNELING_PREFIX + PORT_FORWARD_PROTOCOL;

/**
 * pods/log, pods/exec, pods/attach and pods/portforward: the apiserver's side of `kubectl logs`,
 * `exec`, `attach`, `run -it` and `port-forward` (and pods/proxy, services/proxy on the way). It finds the pod and its node, then talks to
 * that node's kubelet over gRPC (proto/kubelab/kubelet.proto) and to kubectl in kubectl's own
 * protocols: chunked text for logs, WebSocket channels (v5.channel.k8s.io) or SPDY/3.1 for
 * exec and attach, SPDY tunnelled in a WebSocket (or plain SPDY) for port-forward.
 */
export class PodStreaming {
  private readonly ctx: StreamingContext;
  private readonly channelServer: WebSocketServer;
  private readonly tunnelServer: WebSocketServer;
  /** Upgraded connections: the HTTP server no longer sees them, so shutdown closes them here. */
  private readonly connections = new Set<Duplex>();

  constructor(options: { registry: GenericRegistry; log: Logger }) {
    const log = options.log.child({ subsystem: 'streaming' });
    this.ctx = { registry: options.registry, kubelets: new KubeletClientPool(options.registry), log };
    const common = { noServer: true, perMessageDeflate: false, maxPayload: 16 * 1024 * 1024 };
    this.channelServer = new WebSocketServer({ ...common, handleProtocols: (offered) => negotiateChannelProtocol([...offered])?.name ?? false });
    this.tunnelServer = new WebSocketServer({ ...common, handleProtocols: (offered) => (offered.has(protocolToken(TUNNELED_PORT_FORWARD)) ? TUNNELED_PORT_FORWARD : false) });
  }

  /** Whether a request on `type`'s subresource `sub` is one of these. */
  serves(type: ResourceType, sub: string | undefined): sub is StreamingSubresource {
    if (type.group !== '' || type.version !== 'v1') return false;
    if (type.resource === 'services') return sub === 'proxy';
    return type.resource === 'pods' && (STREAMING_SUBRESOURCES as readonly string[]).includes(sub ?? '');
  }

  /**
   * A plain request: logs are served; exec, attach and portforward find the pod (so a missing
   * one is still a 404) and then say they need an upgrade, as Kubernetes does.
   */
  async serve(type: ResourceType, sub: StreamingSubresource, namespace: string, name: string, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    if (sub === 'proxy') return serveProxy(this.ctx, type.resource === 'services' ? 'services' : 'pods', namespace, name, url, req, res);
    if (sub === 'log') {
      if (method !== 'GET') throw Errors.methodNotSupported(type, `${method.toLowerCase()} log`);
      return servePodLog(this.ctx, namespace, name, url.searchParams, res);
    }
    if (method !== 'GET' && method !== 'POST') throw Errors.methodNotSupported(type, `${method.toLowerCase()} ${sub}`);
    if (sub === 'portforward') await getPod(this.ctx.registry, namespace, name);
    else await podLocation(this.ctx.registry, namespace, name, url.searchParams.get('container') ?? '');
    throw Errors.badRequest('Upgrade request required');
  }

  /** The HTTP server's 'upgrade' event: false if the request is not a pod's exec, attach or portforward. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://apiserver');
    const target = parseRequestPath(url.pathname);
    if (target.kind !== 'resource') return false;
    const { group, version, resource, namespace, name, subresource } = target.request;
    if (group !== '' || version !== 'v1' || resource !== 'pods' || !namespace || !name) return false;
    if (subresource !== 'exec' && subresource !== 'attach' && subresource !== 'portforward') return false;
    this.connections.add(socket);
    socket.once('close', () => this.connections.delete(socket));
    const started = performance.now();
    this.upgrade(subresource, namespace, name, url, req, socket, head).then(
      () => this.ctx.log.debug({ verb: req.method, path: req.url, upgrade: req.headers.upgrade, ms: Math.round(performance.now() - started) }, 'stream opened'),
      (error: unknown) => {
        this.ctx.log.debug({ verb: req.method, path: req.url, err: (error as Error).message }, 'stream refused');
        rejectUpgrade(socket, error);
      },
    );
    return true;
  }

  /** Closes every streaming connection and kubelet channel (apiserver shutdown). */
  close(): void {
    for (const socket of this.connections) socket.destroy();
    this.connections.clear();
    this.ctx.kubelets.close();
    this.channelServer.close();
    this.tunnelServer.close();
  }

  private async upgrade(sub: 'exec' | 'attach' | 'portforward', namespace: string, name: string, url: URL, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'POST') throw Errors.methodNotSupported({ group: '', resource: 'pods' }, `${method.toLowerCase()} ${sub}`);
    const websocket = isWebSocketRequest(req);
    const spdy = !websocket && isSpdyRequest(req);
    const { log, kubelets } = this.ctx;

    if (sub === 'portforward') {
      const pod = await getPod(this.ctx.registry, namespace, name);
      const endpoint = await kubelets.endpointFor(requireNode({ name, nodeName: ((pod.spec ?? {}) as { nodeName?: string }).nodeName }));
      if (!websocket && !spdy) throw Errors.badRequest('Upgrade request required');
      // As Kubernetes dials the kubelet before it answers the upgrade.
      const dialError = await dialKubelet(endpoint);
      if (dialError) throw backendError(`error dialing backend: ${dialError}`);
      let session: SpdySession;
      if (websocket) {
        const offered = offeredWebSocketProtocols(req);
        if (!offered.includes(TUNNELED_PORT_FORWARD)) throw Errors.badRequest(`requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${TUNNELED_PORT_FORWARD}]`);
        session = spdyOverWebSocket(await acceptWebSocket(this.tunnelServer, req, socket, head));
      } else {
        const offered = offeredStreamProtocols(req);
        if (offered.length > 0 && !offered.includes(PORT_FORWARD_PROTOCOL)) return refuseProtocols(socket, offered, [PORT_FORWARD_PROTOCOL]);
        session = acceptSpdy(socket, head, PORT_FORWARD_PROTOCOL);
      }
      session.on('error', (error: Error) => log.debug({ pod: `${namespace}/${name}`, err: error.message }, 'port-forward connection broken'));
      servePortForward(session, kubelets.client(endpoint), { namespace, name, endpoint }, log);
      return;
    }

    const options = remoteCommandOptions(url.searchParams, sub);
    const location = await podLocation(this.ctx.registry, namespace, name, options.container);
    const endpoint = await kubelets.endpointFor(requireNode(location));
    const target: RemoteCommandTarget = { ...options, container: location.container, kind: sub, namespace, pod: name, endpoint };
    if (websocket) {
      const offered = offeredWebSocketProtocols(req);
      const protocol = negotiateChannelProtocol(offered);
      if (!protocol) throw Errors.badRequest(`requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${CHANNEL_PROTOCOL_NAMES.join(' ')}]`);
      const ws = await acceptWebSocket(this.channelServer, req, socket, head);
      serveRemoteCommandWebSocket(ws, protocol, kubelets.client(endpoint), target, log);
      return;
    }
    if (!spdy) throw Errors.badRequest('Upgrade request required');
    const offered = offeredStreamProtocols(req);
    const protocol = offered.find((p) => SPDY_REMOTE_COMMAND_PROTOCOLS.includes(p));
    if (!protocol) return refuseProtocols(socket, offered, SPDY_REMOTE_COMMAND_PROTOCOLS);
    // The SPDY path proxies to the kubelet in Kubernetes, dialing it first.
    const dialError = await dialKubelet(endpoint);
    if (dialError) throw backendError(`error dialing backend: ${dialError}`);
    const session = acceptSpdy(socket, head, protocol);
    session.on('error', (error: Error) => log.debug({ pod: `${namespace}/${name}`, err: error.message }, 'exec connection broken'));
    serveRemoteCommandSpdy(session, protocol, kubelets.client(endpoint), target, log);
  }
}

/** httpstream.Handshake's refusal: 403 with the protocols the server accepts. */
function refuseProtocols(socket: Duplex, offered: string[], accepted: string[]): void {
  const message = `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server accepts [${accepted.join(' ')}]`;
  const body = `${message}\n`;
  const accept = accepted.map((p) => `X-Accepted-Stream-Protocol-Versions: ${p}\r\n`).join('');
  socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\n${accept}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
