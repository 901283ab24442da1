import * as grpc from '@grpc/grpc-js';
import { goQuote } from '@kubelab/apimachinery';
import { goStatusText } from '@kubelab/proto';
import { joinHostPort } from './container-port';
import { healthService, SERVING, SERVING_STATUS, type HealthCheckResponse } from './grpc-health';
import { KUBE_PROBE_USER_AGENT } from './http-request';
import type { ProbeOutcome } from './probe-outcome';

const HealthClient = grpc.makeGenericClientConstructor(healthService, 'grpc.health.v1.Health');

/**
 * The grpc probe (pkg/probe/grpc): connects to podIP:port without TLS, waiting for the
 * connection up to the timeout, and calls grpc.health.v1.Health/Check for `service`. SERVING is
 * a success; anything else, and every error, is a failure worded as Kubernetes words it.
 */
export function doGRPCProbe(host: string, port: number, service: string, timeoutMs: number): Promise<ProbeOutcome> {
  const address = joinHostPort(host, port);
  const within = goDuration(timeoutMs);
  const deadline = new Date(Date.now() + timeoutMs);
  const client = new HealthClient(address, grpc.credentials.createInsecure(), { 'grpc.primary_user_agent': KUBE_PROBE_USER_AGENT });
  return new Promise<ProbeOutcome>((resolve) => {
    client.waitForReady(deadline, (connectError) => {
      if (connectError) return resolve({ result: 'failure', output: `timeout: failed to connect service ${goQuote(address)} within ${within}: context deadline exceeded` });
      client.makeUnaryRequest(
        healthService.Check!.path,
        healthService.Check!.requestSerialize,
        healthService.Check!.responseDeserialize,
        { service },
        new grpc.Metadata(),
        { deadline },
        (error: grpc.ServiceError | null, response?: HealthCheckResponse) => {
          if (error) {
            if (error.code === grpc.status.UNIMPLEMENTED) return resolve({ result: 'failure', output: `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${error.details}` });
            if (error.code === grpc.status.DEADLINE_EXCEEDED) return resolve({ result: 'failure', output: `timeout: health rpc did not complete within ${within}` });
            return resolve({ result: 'failure', output: `error: health rpc probe failed: ${goStatusText(error.code, error.details)}` });
          }
          const status = response?.status ?? 0;
          if (status !== SERVING) return resolve({ result: 'failure', output: `service unhealthy (responded with ${goQuote(SERVING_STATUS[status] ?? String(status))})` });
          resolve({ result: 'success', output: 'service healthy' });
        },
      );
    });
  }).finally(() => client.close());
}

/** Go's time.Duration String() for the whole milliseconds a probe timeout has: 1s, 1m30s, 250ms. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  if (hours) return `${hours}h${minutes}m${seconds}s`;
  if (minutes) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}
