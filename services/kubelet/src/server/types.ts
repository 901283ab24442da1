import type { Socket } from 'node:net';
import type { LogOptions, StreamSession } from '../runtime/types';

/**
 * What the kubelet API (gRPC, server/) serves, by pod and container name: the kubelet's pod
 * workers know which container is current and which was the previous one. Failures throw an
 * ApiError (@kubelab/apimachinery) with Kubernetes' message, e.g. BadRequest 'container
 * "httpserver" in pod "httpserver-readiness" is waiting to start: ContainerCreating', or the
 * kubelet's 404 'pod "x" does not exist' (logs) / 'pod does not exist'; the server sends it as
 * the Status the apiserver relays. exec resolves with a session whose `exit` rejects when the
 * command cannot start: that failure comes after the session is up, as in Kubernetes.
 */
export interface PodStreams {
  logs(namespace: string, pod: string, container: string, options: LogOptions & { previous?: boolean }, signal: AbortSignal): Promise<AsyncIterable<Buffer>>;
  exec(namespace: string, pod: string, container: string, command: string[], options: { stdin: boolean; tty: boolean }): Promise<StreamSession>;
  attach(namespace: string, pod: string, container: string, options: { stdin: boolean; tty: boolean }): Promise<StreamSession>;
  /** A TCP connection to the pod's IP on `port`. */
  portForward(namespace: string, pod: string, port: number): Promise<Socket>;
}
