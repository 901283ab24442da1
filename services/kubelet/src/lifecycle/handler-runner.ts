import { goQuote } from '@kubelab/apimachinery';
import type { Clock, KubeObject } from '@kubelab/client';
import { doHTTPProbe } from '../prober/http-probe';
import { newRequestForHTTPGetAction, type HTTPProbeRequest } from '../prober/http-request';
import type { Container, ExecAction, HTTPGetAction, TCPSocketAction } from '../prober/probe-spec';
import type { ContainerRuntime } from '../runtime/types';

/** core/v1 LifecycleHandler: what a postStart or preStop hook does (one of them). */
export interface LifecycleHandler {
  exec?: ExecAction;
  httpGet?: HTTPGetAction;
  sleep?: { seconds: number };
  /** Accepted by the API for old manifests, never run: the hook fails (as Kubernetes'). */
  tcpSocket?: TCPSocketAction;
}

/** The container a hook runs for. */
export interface HookTarget {
  pod: KubeObject;
  container: Pick<Container, 'name' | 'ports' | 'env'>;
  containerId: string;
  podIP: string;
}

/** An HTTP hook has no timeout of its own, as the kubelet's client has none: this one only guards against a hook that never answers. */
const NO_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Runs a container's lifecycle hook (pkg/kubelet/lifecycle's handlerRunner.Run): exec in the
 * container, an HTTP GET to it, or a sleep. Resolves with undefined when the hook succeeded,
 * else with the message Kubernetes keeps for it (the container's waiting message after a failed
 * postStart), e.g. `Exec lifecycle hook ([sh -c exit 3]) for Container "web" in Pod
 * "demo_default(uid)" failed - error: command 'sh -c exit 3' exited with 3: , message: ""`.
 *
 * As on Kubernetes, an HTTP hook fails only when the request does (no connection, a reset),
 * not on the status it gets; `timeoutMs` bounds an exec or HTTP hook (a preStop hook gets the
 * grace period, a postStart hook has no limit), `cancelled` ends any hook early (the pod is being
 * deleted, or the grace period is over).
 */
export class HandlerRunner {
  constructor(
    private readonly options: {
      runtime: Pick<ContainerRuntime, 'execSync'>;
      clock: Clock;
      /** An HTTPS hook answered over plain HTTP on the retry (the LifecycleHTTPFallback event); host is host:port. */
      onHTTPFallback?: (pod: KubeObject, host: string) => void;
    },
  ) {}

  async run(target: HookTarget, handler: LifecycleHandler, limits: { timeoutMs?: number; cancelled?: AbortSignal } = {}): Promise<string | undefined> {
    const { container } = target;
    const where = `for Container ${goQuote(container.name)} in Pod ${goQuote(formatPod(target.pod))}`;
    if (handler.exec) {
      // As the kubelet passes it: a hook's command gets no $(VAR) expansion (a probe's does).
      const command = handler.exec.command ?? [];
      let error: string;
      let output = '';
      try {
        const run = await this.options.runtime.execSync(target.containerId, command, limits.timeoutMs ?? 0, limits.cancelled);
        if (run.exitCode === 0 && !run.timedOut) return undefined;
        output = run.output;
        error = run.timedOut ? `command ${goQuote(command.join(' '))} timed out` : `command '${command.join(' ')}' exited with ${run.exitCode}: ${run.stderr}`;
      } catch (failure) {
        error = (failure as Error).message;
      }
      return `Exec lifecycle hook ([${command.join(' ')}]) ${where} failed - error: ${error}, message: ${goQuote(output)}`;
    }
    if (handler.httpGet) {
      const path = handler.httpGet.path ?? '';
      let error: string | undefined;
      try {
        const request = newRequestForHTTPGetAction(handler.httpGet, container, target.podIP, 'lifecycle');
        // The kubelet's hook client: certificates not checked, and a redirect to another host not
        // followed (its answer counts).
        const get = (r: HTTPProbeRequest) => doHTTPProbe(r, limits.timeoutMs || NO_TIMEOUT_MS, { followNonLocalRedirects: false, cancelled: limits.cancelled });
        let outcome = await get(request);
        if (outcome.statusCode === undefined && request.url.protocol === 'https:' && outcome.output.endsWith(HTTP_RESPONSE_TO_HTTPS)) {
          // An HTTPS hook on a plain HTTP server: tried again over HTTP, without credentials.
          const retried = await get(overPlainHTTP(request));
          if (retried.statusCode !== undefined) {
            this.options.onHTTPFallback?.(target.pod, request.url.host);
            outcome = retried;
          }
        }
        // Any status is an answer: only a request that got none fails the hook.
        if (outcome.statusCode === undefined) error = outcome.error?.message ?? outcome.output;
      } catch (failure) {
        error = (failure as Error).message;
      }
      return error === undefined ? undefined : `HTTP lifecycle hook (${path}) ${where} failed - error: ${error}`;
    }
    if (handler.sleep) {
      const seconds = handler.sleep.seconds;
      if (await this.sleep(seconds * 1000, limits.cancelled)) return undefined;
      return `Sleep lifecycle hook (${seconds}) ${where} failed - error: container terminated before sleep hook finished`;
    }
    return `Cannot run handler: invalid handler: ${goLifecycleHandler(handler)}`;
  }

  /** Resolves true after `ms`, false if cancelled first. */
  private sleep(ms: number, cancelled: AbortSignal | undefined): Promise<boolean> {
    if (cancelled?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => {
        this.options.clock.clearTimeout(timer);
        resolve(false);
      };
      const timer = this.options.clock.setTimeout(() => {
        cancelled?.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      cancelled?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** Kubernetes' format.Pod: `name_namespace(uid)`. */
function formatPod(pod: KubeObject): string {
  return `${pod.metadata.name ?? ''}_${pod.metadata.namespace ?? ''}(${pod.metadata.uid ?? ''})`;
}

/**
 * A handler as Go's `%v` prints a *v1.LifecycleHandler (its generated String()), which is how the
 * kubelet words a handler it cannot run: in practice a tcpSocket one, which validation lets
 * through, e.g. `&LifecycleHandler{Exec:nil,HTTPGet:nil,TCPSocket:&TCPSocketAction{Port:{0 8080 },Host:,},Sleep:nil,}`.
 */
function goLifecycleHandler(handler: LifecycleHandler): string {
  const tcp = handler.tcpSocket;
  // intstr.IntOrString printed as a struct: {Type IntVal StrVal}.
  const port = typeof tcp?.port === 'string' ? `{1 0 ${tcp.port}}` : `{0 ${tcp?.port ?? 0} }`;
  const tcpText = tcp ? `&TCPSocketAction{Port:${port},Host:${tcp.host ?? ''},}` : 'nil';
  return `&LifecycleHandler{Exec:nil,HTTPGet:nil,TCPSocket:${tcpText},Sleep:nil,}`;
}

/** How the HTTP exchange words a TLS handshake answered by a plain HTTP server (Go's). */
const HTTP_RESPONSE_TO_HTTPS = 'http: server gave HTTP response to HTTPS client';

/** The same request over http:, without an Authorization header. */
function overPlainHTTP(request: HTTPProbeRequest): HTTPProbeRequest {
  const url = new URL(request.url);
  url.protocol = 'http:';
  const headers = new Map([...request.headers].filter(([name]) => name.toLowerCase() !== 'authorization'));
  return { url, display: request.display.replace(/^https:/, 'http:'), headers };
}
