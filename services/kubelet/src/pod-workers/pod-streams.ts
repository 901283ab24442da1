import { createHash } from 'node:crypto';
import * as net from 'node:net';
import { Readable } from 'node:stream';
import { ApiError, failureStatus, newBadRequest } from '@kubelab/apimachinery';
import type { ContainerRuntime, LogOptions, StreamSession } from '../runtime/types';
import type { ApiContainerStatus, PodStatus } from '../status/api-types';
import { isTerminalPhase } from '../status/phase';
import type { PodStreams } from '../server/types';
import type { PodRecord } from './pod-record';

export interface PodStreamsOptions {
  runtime: ContainerRuntime;
  /** The pod of that name this kubelet runs (not yet terminated), if any. */
  findPod(namespace: string, name: string): PodRecord | undefined;
  /** The pod's status as the kubelet sees it now. */
  status(record: PodRecord): PodStatus;
}

const badRequest = (message: string) => new ApiError(newBadRequest(message));

/**
 * Logs, exec, attach and port-forward by pod and container name (what the kubelet API serves),
 * over what the pod workers know: the current container of a name, or its previous termination.
 * Errors are Kubernetes' own, as ApiError: 404 `pod "x" does not exist` (logs) or `pod does not
 * exist`, `container x is not valid for pod y`, `container "c" in pod "p" is waiting to start:
 * ContainerCreating`, `previous terminated container "c" in pod "p" not found`, `container not
 * found ("c")`.
 */
export class KubeletPodStreams implements PodStreams {
  constructor(private readonly options: PodStreamsOptions) {}

  async logs(namespace: string, pod: string, container: string, options: LogOptions & { previous?: boolean }, signal: AbortSignal): Promise<AsyncIterable<Buffer>> {
    const { status, name } = this.resolve(namespace, pod, container, `pod ${JSON.stringify(pod)} does not exist`);
    const id = logContainerID(status.statuses.find((s) => s.name === name), name, pod, Boolean(options.previous));
    const { previous: _previous, ...logOptions } = options;
    // The kubelet asks the runtime for the container's log path once the log is open (200 sent):
    // a container the runtime no longer has fails then, in the log's body.
    if (!this.options.runtime.getContainer(id)) return failingLog(new Error(`unable to retrieve container logs for ${id}`));
    return this.options.runtime.readLogs(id, logOptions, signal);
  }

  /**
   * A container the runtime does not have running is refused before any stream is set up (CRI's
   * Exec); a command that cannot start fails once the streams are up (containerd's exec runs
   * after the upgrade): its session ends with the runtime's error, no exit code.
   */
  async exec(namespace: string, pod: string, container: string, command: string[], options: { stdin: boolean; tty: boolean }): Promise<StreamSession> {
    const id = this.running(namespace, pod, container, 'exec into');
    const runtime = this.options.runtime;
    const running = runtime.getContainer(id)?.state === 'running';
    try {
      return runtime.exec(id, command, options);
    } catch (error) {
      if (!running) throw error;
      return failedSession(error instanceof Error ? error : new Error(String(error)));
    }
  }

  async attach(namespace: string, pod: string, container: string, options: { stdin: boolean; tty: boolean }): Promise<StreamSession> {
    const id = this.running(namespace, pod, container, 'attach');
    return this.options.runtime.attach(id, options);
  }

  async portForward(namespace: string, pod: string, port: number): Promise<net.Socket> {
    const record = this.record(namespace, pod);
    const ip = record.ipReleased ? undefined : record.ip;
    const sandbox = createHash('sha256').update(record.uid).digest('hex');
    const refused = () =>
      new ApiError(
        failureStatus(
          500,
          'InternalError',
          `error forwarding port ${port} to pod ${sandbox}, uid : failed to execute portforward in network namespace "/var/run/netns/cni-${netnsId(sandbox)}": failed to connect to localhost:${port} inside namespace "${sandbox}", IPv4: dial tcp4 127.0.0.1:${port}: connect: connection refused IPv6 dial tcp6 [::1]:${port}: connect: connection refused`,
        ),
      );
    if (!ip) throw refused();
    return new Promise((resolve, reject) => {
      const socket = net.createConnection({ host: ip, port });
      socket.once('connect', () => {
        socket.removeAllListeners('error');
        resolve(socket);
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        socket.destroy();
        reject(error.code === 'ECONNREFUSED' ? refused() : error);
      });
    });
  }

  /** The pod; a pod this kubelet does not run is the kubelet's 404 (its text, not an API Status's). */
  private record(namespace: string, pod: string, missing = 'pod does not exist'): PodRecord {
    const record = this.options.findPod(namespace, pod);
    if (!record) throw new ApiError(failureStatus(404, 'NotFound', missing));
    return record;
  }

  /** The pod, the container name (defaulted when the pod has one), and the pod's container statuses. */
  private resolve(namespace: string, pod: string, container: string, missing?: string): { record: PodRecord; name: string; status: { phase?: string; statuses: ApiContainerStatus[] } } {
    const record = this.record(namespace, pod, missing);
    const spec = record.spec;
    let name = container;
    if (!name) {
      if (spec.containers.length === 1) name = spec.containers[0]!.name;
      else {
        const names = spec.containers.map((c) => c.name).join(' ');
        const inits = (spec.initContainers ?? []).map((c) => c.name).join(' ');
        throw badRequest(`a container name must be specified for pod ${pod}, choose one of: [${names}]${inits ? ` or one of the init containers: [${inits}]` : ''}`);
      }
    } else if (!record.containerSpec(name)) throw badRequest(`container ${name} is not valid for pod ${pod}`);
    const status = this.options.status(record);
    return { record, name, status: { phase: status.phase, statuses: [...(status.containerStatuses ?? []), ...(status.initContainerStatuses ?? []), ...(status.ephemeralContainerStatuses ?? [])] } };
  }

  /** The id of the running container for exec and attach. */
  private running(namespace: string, pod: string, container: string, verb: string): string {
    const { name, status } = this.resolve(namespace, pod, container);
    if (isTerminalPhase(status.phase)) throw badRequest(`cannot ${verb} a container in a completed pod; current phase is ${status.phase}`);
    const s = status.statuses.find((c) => c.name === name);
    if (!s?.state.running || !s.containerID) throw badRequest(`container not found ("${name}")`);
    return s.containerID;
  }
}

/**
 * Which container's log `kubectl logs` reads (validateContainerLogStatus): --previous the last
 * termination; else the running one, the terminated one, or the last termination of one waiting
 * to restart; a container that never ran has no log yet and says why it waits.
 */
export function logContainerID(s: ApiContainerStatus | undefined, container: string, pod: string, previous: boolean): string {
  if (!s) throw badRequest(`container "${container}" in pod "${pod}" is not available`);
  const last = s.lastState.terminated;
  const { waiting, running, terminated } = s.state;
  if (previous) {
    if (!last?.containerID) throw badRequest(`previous terminated container "${container}" in pod "${pod}" not found`);
    return last.containerID;
  }
  if (running) return s.containerID!;
  if (terminated) {
    if (terminated.containerID) return terminated.containerID;
    if (last?.containerID) return last.containerID;
    throw badRequest(`container "${container}" in pod "${pod}" is terminated`);
  }
  if (last) {
    if (!last.containerID) throw badRequest(`container "${container}" in pod "${pod}" is terminated`);
    return last.containerID;
  }
  if (waiting) {
    if (waiting.reason === 'ErrImagePull') throw badRequest(`container "${container}" in pod "${pod}" is waiting to start: image can't be pulled`);
    if (waiting.reason === 'ImagePullBackOff') throw badRequest(`container "${container}" in pod "${pod}" is waiting to start: trying and failing to pull image`);
    throw badRequest(`container "${container}" in pod "${pod}" is waiting to start: ${waiting.reason}`);
  }
  throw badRequest(`container "${container}" in pod "${pod}" is waiting to start - no logs yet`);
}

/** A stable uuid-shaped name for the pod's "network namespace", as CNI names them (cni-<uuid>). */
function netnsId(sandbox: string): string {
  return `${sandbox.slice(0, 8)}-${sandbox.slice(8, 12)}-${sandbox.slice(12, 16)}-${sandbox.slice(16, 20)}-${sandbox.slice(20, 32)}`;
}

/** The session of a command that could not start: no output, and `exit` fails with the reason. */
export function failedSession(error: Error): StreamSession {
  const exit = Promise.reject(error);
  // Read by whoever relays the session; not an unhandled rejection meanwhile.
  exit.catch(() => {});
  return { stdout: Readable.from([]), exit, close: () => {} };
}

/** A log that fails when read. */
function failingLog(error: Error): AsyncIterable<Buffer> {
  return {
    [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }),
  };
}
