/**
 * The messages of proto/kubelab/kubelet.proto as they look in JavaScript with
 * KUBELET_PROTO_OPTIONS. A oneof's set member is named by `message`; bytes are a `Buffer` on
 * receipt, any `Uint8Array` when sending.
 */

export interface ContainerLogsRequest {
  namespace: string;
  pod: string;
  container: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  /** RFC3339, '' if unset. */
  sinceTime: string;
  limitBytes?: number;
}

export interface LogChunk {
  data: Uint8Array;
}

export interface StreamStart {
  namespace: string;
  pod: string;
  container: string;
  /** Exec only. */
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export interface TerminalSize {
  width: number;
  height: number;
}

/** The client's messages of Exec and Attach: `start` first. */
export type StreamRequest =
  | { message?: 'start'; start: StreamStart }
  | { message?: 'stdin'; stdin: Uint8Array }
  | { message?: 'resize'; resize: TerminalSize }
  | { message?: 'closeStdin'; closeStdin: Record<string, never> };

/** The kubelet's messages of Exec and Attach: `started`, output, and `exit` last. */
export type StreamResponse =
  | { message?: 'started'; started: Record<string, never> }
  | { message?: 'stdout'; stdout: Uint8Array }
  | { message?: 'stderr'; stderr: Uint8Array }
  | { message?: 'exit'; exit: { code: number } };

export interface PortForwardStart {
  namespace: string;
  pod: string;
  port: number;
}

/** The client's messages of PortForward: `start` first. */
export type PortForwardRequest =
  | { message?: 'start'; start: PortForwardStart }
  | { message?: 'data'; data: Uint8Array }
  | { message?: 'closeWrite'; closeWrite: Record<string, never> };

/** The kubelet's messages of PortForward: `connected` first. */
export type PortForwardResponse =
  | { message?: 'connected'; connected: Record<string, never> }
  | { message?: 'data'; data: Uint8Array }
  | { message?: 'closeWrite'; closeWrite: Record<string, never> };
