import { connect, type NatsConnection, StringCodec } from 'nats';
import type { Logger } from './logger';
import { Backoff } from './backoff';

/**
 * A component's link to NATS, the wire for signals (announcements, telemetry, chaos commands).
 * Losing NATS never stops a component: the link connects in the background, retries with back-off
 * for ever, and `publish` drops messages while it is down (a signal may be lost; state never is).
 */
export interface NatsLink {
  publish(subject: string, payload: unknown): void;
  readonly connected: boolean;
  close(): Promise<void>;
}

export function connectNats(servers: string, log: Logger, announce: () => unknown): NatsLink {
  const codec = StringCodec();
  const backoff = new Backoff(200, 5_000);
  let connection: NatsConnection | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  const attempt = async (): Promise<void> => {
    try {
      // Our own loop handles the first connection; once connected, the client reconnects for ever.
      const nc = await connect({ servers, name: log.bindings()['component'] as string, maxReconnectAttempts: -1, reconnectTimeWait: 500 });
      if (closed) return void (await nc.close());
      connection = nc;
      backoff.reset();
      log.info({ nats: servers }, 'connected to NATS');
      nc.publish('kubelab.announce', codec.encode(JSON.stringify(announce())));
      void watchStatus(nc);
    } catch (error) {
      const delay = backoff.next();
      log.warn({ nats: servers, err: (error as Error).message, retryInMs: delay }, 'waiting for NATS');
      if (!closed) timer = setTimeout(() => void attempt(), delay);
    }
  };

  const watchStatus = async (nc: NatsConnection): Promise<void> => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') log.warn({ nats: servers }, 'lost NATS, reconnecting');
      if (status.type === 'reconnect') {
        log.info({ nats: servers }, 'reconnected to NATS');
        nc.publish('kubelab.announce', codec.encode(JSON.stringify(announce())));
      }
    }
  };

  void attempt();
  return {
    publish(subject, payload) {
      if (!connection || connection.isClosed()) return;
      connection.publish(subject, codec.encode(JSON.stringify(payload)));
    },
    get connected() {
      return connection !== undefined && !connection.isClosed() && !connection.isDraining();
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      await connection?.close();
    },
  };
}
