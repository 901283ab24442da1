import { goQuote } from '@kubelab/apimachinery';
import type { Container } from './probe-spec';

/**
 * A probe's port (probe.ResolveContainerPort): a number, or the name of one of the container's
 * ports; a name no port has is tried as a number written as a string. Throws with Go's message
 * when neither works, which the prober reports as an errored probe.
 */
export function resolveContainerPort(param: number | string | undefined, container: Pick<Container, 'ports'>): number {
  let port: number;
  if (typeof param === 'number') {
    port = param;
  } else if (typeof param === 'string') {
    const named = container.ports?.find((p) => p.name === param);
    if (named) {
      port = named.containerPort;
    } else if (/^[+-]?\d+$/.test(param)) {
      port = Number(param);
    } else {
      throw new Error(`strconv.Atoi: parsing ${goQuote(param)}: invalid syntax`);
    }
  } else {
    throw new Error(`intOrString had no kind: ${String(param)}`);
  }
  if (Number.isInteger(port) && port > 0 && port < 65536) return port;
  throw new Error(`invalid port number: ${port}`);
}

/** host:port as net.JoinHostPort writes it (brackets around an IPv6 address). */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
