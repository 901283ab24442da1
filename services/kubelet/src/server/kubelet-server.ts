import * as grpc from '@grpc/grpc-js';
import type { Logger } from '@kubelab/component-base';
import { loadKubeletApi } from '@kubelab/proto';
import { containerLogsHandler } from './container-logs';
import { portForwardHandler } from './port-forward';
import { remoteCommandHandler } from './remote-command';
import type { PodStreams } from './types';

export interface KubeletServerOptions {
  /** The node's IP (the kubelet API listens there, never on 0.0.0.0). */
  host: string;
  /** 10250 as in Kubernetes; 0 picks a free port (tests). */
  port: number;
  streams: PodStreams;
  log: Logger;
}

/**
 * The kubelet API (proto/kubelab/kubelet.proto) on gRPC: what the apiserver calls for
 * `kubectl logs`, `exec`, `attach` and `port-forward`. The pod workers do the work (PodStreams);
 * this server only carries bytes and errors. close() waits a moment for open streams (a
 * `kubectl logs -f`), then cuts them.
 */
export async function startKubeletServer(options: KubeletServerOptions): Promise<{ port: number; close(): Promise<void> }> {
  const { Kubelet } = loadKubeletApi();
  const log = options.log;
  const server = new grpc.Server({
    'grpc.max_receive_message_length': 16 * 1024 * 1024,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 10_000,
    'grpc.enable_channelz': 0,
  });
  server.addService(Kubelet.service, {
    ContainerLogs: containerLogsHandler(options.streams, log),
    Exec: remoteCommandHandler('exec', options.streams, log),
    Attach: remoteCommandHandler('attach', options.streams, log),
    PortForward: portForwardHandler(options.streams, log),
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${options.host}:${options.port}`, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  log.info({ address: `${options.host}:${port}` }, 'kubelet API serving gRPC');
  return {
    port,
    close() {
      return new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 1_000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
    },
  };
}
