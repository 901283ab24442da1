import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorToStatus } from '@kubelab/apimachinery';
import type { WebSocket, WebSocketServer } from 'ws';
import { SpdySession, type SpdyTransport } from './spdy/session';

/** `Connection: Upgrade` + `Upgrade: websocket` (Kubernetes' wsstream.IsWebSocketRequest). */
export function isWebSocketRequest(req: IncomingMessage): boolean {
  return /(^|,)\s*upgrade\s*(,|$)/i.test(req.headers.connection ?? '') && (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

/** `Upgrade: SPDY/3.1` (what kubectl's SPDY round tripper sends). */
export function isSpdyRequest(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').toLowerCase().split(',').some((value) => value.trim() === 'spdy/3.1');
}

/** The subprotocols a WebSocket client offers (Sec-WebSocket-Protocol), in its order. */
export function offeredWebSocketProtocols(req: IncomingMessage): string[] {
  return (req.headersDistinct['sec-websocket-protocol'] ?? []).flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean);
}

/** The stream protocols a SPDY client offers (X-Stream-Protocol-Version), in its order. */
export function offeredStreamProtocols(req: IncomingMessage): string[] {
  return (req.headersDistinct['x-stream-protocol-version'] ?? []).flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean);
}

/**
 * Answers an upgrade request with an error instead (a Status, as any API error), and closes the
 * connection. kubectl reads the Status: after a refused WebSocket it retries with SPDY, and a
 * refused SPDY upgrade is printed (`Error from server (BadRequest): pod web does not have a host assigned`).
 */
export function rejectUpgrade(socket: Duplex, error: unknown, extraHeaders: Record<string, string> = {}): void {
  const status = errorToStatus(error);
  const body = JSON.stringify(status);
  const headers = { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', ...extraHeaders, 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close' };
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  if (!socket.writable) return void socket.destroy();
  socket.end(`HTTP/1.1 ${status.code} ${STATUS_CODES[status.code] ?? ''}\r\n${head}\r\n${body}`);
}

/**
 * A subprotocol name as an RFC 7230 token: `ws` refuses names with other characters, and
 * kubectl's tunnel is called `SPDY/3.1+portforward.k8s.io`. The server's handleProtocols sees
 * these tokens and answers with the real name.
 */
export function protocolToken(name: string): string {
  return name.replace(/[^!#$%&'*+\-.^_`|~0-9A-Za-z]/g, '_');
}

/** Completes a WebSocket handshake (the `ws` server picks the subprotocol through its handleProtocols, from protocolToken names). */
export function acceptWebSocket(server: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<WebSocket> {
  const offered = offeredWebSocketProtocols(req);
  if (offered.length) req.headers['sec-websocket-protocol'] = offered.map(protocolToken).join(', ');
  return new Promise((resolve) => server.handleUpgrade(req, socket, head, (ws) => resolve(ws)));
}

/**
 * Switches the connection to SPDY/3.1 (101 Switching Protocols, X-Stream-Protocol-Version
 * naming the negotiated protocol) and runs a server session on it.
 */
export function acceptSpdy(socket: Duplex, head: Buffer, protocol: string): SpdySession {
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`);
  const session = new SpdySession({
    write: (bytes, sent) => void socket.write(bytes, () => sent()),
    end: () => socket.end(),
    pause: () => socket.pause(),
    resume: () => socket.resume(),
  });
  socket.on('data', (chunk: Buffer) => session.feed(chunk));
  socket.on('close', () => session.transportClosed());
  socket.on('error', () => socket.destroy());
  if (head.length) session.feed(head);
  return session;
}

/**
 * A SPDY session inside a WebSocket (kubectl 1.30+'s port-forward tunnel): binary messages carry
 * the SPDY bytes, split anywhere; the session's end is a normal WebSocket close.
 */
export function spdyOverWebSocket(ws: WebSocket): SpdySession {
  const transport: SpdyTransport = {
    write: (bytes, sent) => {
      if (ws.readyState === ws.OPEN) ws.send(bytes, { binary: true }, () => sent());
      else sent();
    },
    end: () => ws.close(1000),
    pause: () => ws.pause(),
    resume: () => ws.resume(),
  };
  const session = new SpdySession(transport);
  ws.on('message', (data: Buffer) => session.feed(data));
  ws.on('close', () => session.transportClosed());
  ws.on('error', () => ws.terminate());
  return session;
}
