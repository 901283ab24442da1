import { joinHostPort } from './container-port';

/** The text Go's syscall errors print for the errno values a connection meets. */
const ERRNO_TEXT: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network is unreachable',
  EADDRNOTAVAIL: 'cannot assign requested address',
  EADDRINUSE: 'address already in use',
  ETIMEDOUT: 'connection timed out',
  EPIPE: 'broken pipe',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
};

/**
 * A failed connection in the words of Go's net package, which is what a person sees in
 * Unhealthy events: `dial tcp 127.244.1.5:8081: connect: connection refused`.
 */
export function dialErrorMessage(error: NodeJS.ErrnoException & { address?: string; port?: number }, host: string, port: number): string {
  const code = error.code ?? '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return `dial tcp: lookup ${host}: no such host`;
  // A host name was resolved first: Go names the address it dialled.
  const address = joinHostPort(error.address ?? host, error.port ?? port);
  if (code === 'ETIMEDOUT' && error.syscall !== 'connect') return `dial tcp ${address}: i/o timeout`;
  const text = ERRNO_TEXT[code];
  if (text) return `dial tcp ${address}: ${error.syscall === 'connect' || !error.syscall ? 'connect' : error.syscall}: ${text}`;
  return `dial tcp ${address}: ${error.message}`;
}

/** A connection that did not open within the probe's timeout. */
export function dialTimeoutMessage(host: string, port: number): string {
  return `dial tcp ${joinHostPort(host, port)}: i/o timeout`;
}

/** A read on an open connection that failed: `read tcp 127.0.0.1:4242->127.244.1.5:8080: read: connection reset by peer`. */
export function readErrorMessage(error: NodeJS.ErrnoException, local: string | undefined, remote: string): string {
  const text = ERRNO_TEXT[error.code ?? ''] ?? error.message;
  return `read tcp ${local ? `${local}->` : ''}${remote}: read: ${text}`;
}
