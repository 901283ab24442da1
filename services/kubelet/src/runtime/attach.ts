import { PassThrough, Writable } from 'node:stream';
import type { LogStream } from './cri-log-writer';
import type { StreamSession } from './types';

export interface AttachOptions {
  tty: boolean;
  /** The client sends input, and the container was started with stdin (the runtime holds that pipe). */
  stdin?: Writable;
  /** Close the container's stdin when this session detaches (the pod's stdinOnce). */
  stdinOnce: boolean;
  /** Subscribes to the container's output as the log writer reads it; returns the unsubscribe. */
  subscribe(listener: (stream: LogStream, data: Buffer) => void): () => void;
  /** The container's exit code, once it exits (its output has all been delivered by then). */
  exit: Promise<number>;
  resize?: (size: { width: number; height: number }) => void;
}

/**
 * `kubectl attach` (and `run -it`): the container's own output from now on, and input into the
 * stdin pipe the runtime holds since the container started. Output is what the log writer reads
 * from the container's output files, so attaching works for a container adopted after a kubelet
 * restart too; its stdin does not survive a kubelet restart (the pipe was the old kubelet's).
 */
export function attachSession(options: AttachOptions): StreamSession {
  const stdout = new PassThrough();
  const stderr = options.tty ? undefined : new PassThrough();
  let closed = false;
  const unsubscribe = options.subscribe((stream, data) => {
    if (closed) return;
    (stream === 'stderr' && stderr ? stderr : stdout).write(data);
  });
  const detach = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    stdout.end();
    stderr?.end();
    if (options.stdinOnce) options.stdin?.end();
  };
  const target = options.stdin;
  const stdin = target
    ? new Writable({
        write(chunk: Buffer, _encoding, callback) {
          if (closed || target.destroyed || target.writableEnded) return callback();
          target.write(chunk, () => callback());
        },
        final(callback) {
          if (options.stdinOnce && !target.writableEnded) target.end();
          callback();
        },
      })
    : undefined;
  const exit = options.exit.then((code) => {
    detach();
    return code;
  });
  return { stdin, stdout, stderr, resize: options.resize, exit, close: detach };
}
