import type * as grpc from '@grpc/grpc-js';
import type { Readable } from 'node:stream';
import type { Logger } from '@kubelab/component-base';
import { ApiError, newBadRequest, newInternalError } from '@kubelab/apimachinery';
import type { StreamRequest, StreamResponse, StreamStart } from '@kubelab/proto';
import type { StreamSession } from '../runtime/types';
import { PausingWriter } from './pausing-writer';
import { toServiceError } from './status';
import type { PodStreams } from './types';

type Call = grpc.ServerDuplexStream<StreamRequest, StreamResponse>;

/**
 * Kubelet.Exec and Kubelet.Attach (the kubelet's /exec and /attach): the first message says what
 * to run; once PodStreams has a session the kubelet answers `started`, then relays stdin and
 * resizes in, stdout and stderr out, and last the exit code. A caller that goes away ends the
 * session (an exec'd process is killed, an attach detaches). A refusal before the session (no
 * such container, not running) is the call's error, as the kubelet refuses the upgrade; a
 * session that fails once started (a command that cannot start) ends with the InternalError
 * Kubernetes' streaming server writes: `error executing command in container: <why>`.
 * Stdin is written as fast as the process reads it: the call is not read while it is behind.
 */
export function remoteCommandHandler(kind: 'exec' | 'attach', streams: PodStreams, log: Logger): grpc.handleBidiStreamingCall<StreamRequest, StreamResponse> {
  return (call) => {
    let session: StreamSession | undefined;
    let start: StreamStart | undefined;
    let finished = false;
    // Input that arrives while the session is being set up waits here.
    const early: StreamRequest[] = [];

    const fail = (error: unknown) => {
      if (finished) return;
      finished = true;
      log.debug({ kind, pod: start ? `${start.namespace}/${start.pod}` : undefined, err: (error as Error).message }, 'remote command refused');
      call.emit('error', toServiceError(error));
    };
    const toStdin = new PausingWriter(call);
    const apply = (request: StreamRequest, current: StreamSession) => {
      switch (request.message) {
        case 'stdin': {
          const stdin = current.stdin;
          if (!stdin || stdin.destroyed || stdin.writableEnded) break;
          toStdin.write(stdin, request.stdin);
          break;
        }
        case 'resize':
          current.resize?.({ width: request.resize.width, height: request.resize.height });
          break;
        case 'closeStdin':
          current.stdin?.end();
          break;
        default:
          break;
      }
    };

    call.on('data', (request: StreamRequest) => {
      if (finished) return;
      if (!start) {
        if (request.message !== 'start') return fail(new ApiError(newBadRequest('the first message must say what to run')));
        start = request.start;
        // Input waits in the call (not in memory here) while the session is being set up.
        call.pause();
        open(kind, streams, start).then(
          (opened) => {
            if (finished || call.cancelled) return opened.close();
            session = opened;
            call.resume();
            // A process that exits while stdin is still written to must not take the kubelet down.
            opened.stdin?.on('error', () => {});
            call.write({ started: {} });
            for (const pending of early.splice(0)) apply(pending, opened);
            relay(call, opened, start!).then(
              (code) => {
                if (finished) return;
                finished = true;
                // An attach reports no exit code (kubectl learns it from the pod's status), as CRI's attach.
                call.write({ exit: { code: kind === 'attach' ? 0 : code } });
                call.end();
              },
              (error: unknown) => {
                const what = kind === 'exec' ? 'error executing command in container' : 'error attaching to container';
                fail(new ApiError(newInternalError(`${what}: ${error instanceof Error ? error.message : String(error)}`)));
              },
            );
          },
          (error: unknown) => fail(error),
        );
        return;
      }
      if (session) apply(request, session);
      else early.push(request);
    });
    // The caller has nothing more to send: stdin is over.
    call.on('end', () => {
      if (session) session.stdin?.end();
      else early.push({ closeStdin: {} });
    });
    call.on('cancelled', () => {
      finished = true;
      session?.close();
    });
    call.on('error', () => session?.close());
  };
}

function open(kind: 'exec' | 'attach', streams: PodStreams, start: StreamStart): Promise<StreamSession> {
  const options = { stdin: start.stdin, tty: start.tty };
  if (kind === 'attach') return streams.attach(start.namespace, start.pod, start.container, options);
  if (start.command.length === 0) return Promise.reject(new ApiError(newBadRequest('you must specify at least one command for the container')));
  return streams.exec(start.namespace, start.pod, start.container, start.command, options);
}

/** Copies the session's output to the call (as fast as the caller reads) and resolves with the exit code once all output is out. */
async function relay(call: Call, session: StreamSession, start: StreamStart): Promise<number> {
  const copies = [copy(call, session.stdout, start.stdout || start.tty ? 'stdout' : undefined)];
  if (session.stderr) copies.push(copy(call, session.stderr, start.stderr ? 'stderr' : undefined));
  const [code] = await Promise.all([session.exit, ...copies]);
  return code;
}

function copy(call: Call, from: Readable, channel: 'stdout' | 'stderr' | undefined): Promise<void> {
  return new Promise((resolve) => {
    from.on('data', (chunk: Buffer) => {
      // Output nobody asked for is read and dropped, so the process never blocks on it.
      if (!channel || call.cancelled) return;
      const message = channel === 'stdout' ? { stdout: chunk } : { stderr: chunk };
      if (!call.write(message)) {
        from.pause();
        call.once('drain', () => from.resume());
      }
    });
    from.once('end', resolve);
    from.once('close', resolve);
    from.once('error', () => resolve());
  });
}
