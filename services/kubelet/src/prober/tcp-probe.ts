import * as net from 'node:net';
import { dialErrorMessage, dialTimeoutMessage } from './dial-error';
import type { ProbeOutcome } from './probe-outcome';

/**
 * The tcpSocket probe (pkg/probe/tcp): success when a connection to host:port opens within the
 * timeout; it is closed again at once. Every error is a failure (never "errored"), so timeouts
 * count towards failureThreshold like a refused connection does.
 */
export function doTCPProbe(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: ProbeOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => finish({ result: 'failure', output: dialTimeoutMessage(host, port) }), timeoutMs);
    socket.once('connect', () => finish({ result: 'success', output: '' }));
    socket.once('error', (error) => finish({ result: 'failure', output: dialErrorMessage(error, host, port) }));
  });
}
