import type { Logger } from '@kubelab/component-base';
import type { KubeletClient } from './kubelet-client';
import { RemoteCommandProxy, type RemoteCommandTarget } from './remote-command';
import { parseTerminalSizes } from './remote-command-websocket';
import type { SpdySession, SpdyStream } from './spdy/session';

/** The stream protocols of exec / attach over SPDY, best first (X-Stream-Protocol-Version). */
export const SPDY_REMOTE_COMMAND_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io'];

/** How long the client has to open its streams (Kubernetes' streamCreationTimeout). */
const STREAM_CREATION_TIMEOUT_MS = 30_000;

/**
 * exec / attach over SPDY (kubectl's fallback, and what older clients speak): the client opens
 * one stream per purpose, named by the `streamType` header (error, stdin, stdout, stderr,
 * resize); once all it asked for are there the command runs. Output ends with FIN on stdout and
 * stderr, the Status goes on the error stream (JSON from v4 on, text before), then GOAWAY.
 */
export function serveRemoteCommandSpdy(session: SpdySession, protocol: string, client: KubeletClient, target: RemoteCommandTarget, log: Logger): void {
  const version = Number(/^v(\d+)\./.exec(protocol)?.[1] ?? 1);
  const expected = new Set(['error']);
  if (target.stdin) expected.add('stdin');
  if (target.stdout) expected.add('stdout');
  if (target.stderr) expected.add('stderr');
  if (target.tty && version >= 3) expected.add('resize');
  const streams = new Map<string, SpdyStream>();
  let proxy: RemoteCommandProxy | undefined;

  const timer = setTimeout(() => {
    log.debug({ pod: `${target.namespace}/${target.pod}` }, 'timed out waiting for client to create streams');
    session.close();
  }, STREAM_CREATION_TIMEOUT_MS);
  timer.unref();

  session.on('stream', (stream: SpdyStream) => {
    const type = stream.headers.streamtype ?? '';
    if (!expected.has(type) || streams.has(type) || proxy) return stream.reset();
    streams.set(type, stream);
    stream.on('error', () => {});
    if (streams.size === expected.size) {
      clearTimeout(timer);
      proxy = start();
    }
  });
  session.on('close', () => {
    clearTimeout(timer);
    proxy?.cancel();
  });

  function start(): RemoteCommandProxy {
    const stdout = streams.get('stdout');
    const stderr = streams.get('stderr');
    const errorStream = streams.get('error')!;
    // Output waits at the kubelet while kubectl is behind on stdout or stderr.
    let behind = 0;
    const send = (stream: SpdyStream | undefined, data: Buffer) => {
      if (!stream || stream.write(data)) return;
      if (behind++ === 0) running.pause();
      const caughtUp = () => {
        stream.off('drain', caughtUp);
        stream.off('close', caughtUp);
        if (--behind === 0) running.resume();
      };
      stream.once('drain', caughtUp);
      stream.once('close', caughtUp);
    };
    const running: RemoteCommandProxy = new RemoteCommandProxy(client, target, {
      proxied: true,
      stdout: (data) => send(stdout, data),
      stderr: (data) => send(stderr, data),
      finish(status) {
        for (const type of ['stdin', 'stdout', 'stderr', 'resize']) streams.get(type)?.end();
        const failed = (status as { status?: string }).status !== 'Success';
        if (version >= 4) errorStream.end(Buffer.from(JSON.stringify(status)));
        else errorStream.end(failed ? Buffer.from((status as { message?: string }).message ?? '') : undefined);
        session.close();
      },
    }, log);
    const stdin = streams.get('stdin');
    stdin?.on('data', (data: Buffer) => {
      // The kubelet is behind: the stream buffers, then the connection stops being read.
      if (!running.stdin(data) && !stdin.isPaused()) {
        stdin.pause();
        running.onDrain(() => stdin.resume());
      }
    });
    stdin?.on('end', () => running.closeStdin());
    const resize = streams.get('resize');
    let pending = '';
    resize?.on('data', (data: Buffer) => {
      // Sizes arrive as a stream of JSON objects (Go's json.Encoder: one per line).
      pending += data.toString('utf8');
      const cut = pending.lastIndexOf('}');
      if (cut < 0) return;
      for (const size of parseTerminalSizes(Buffer.from(pending.slice(0, cut + 1)))) running.resize(size);
      pending = pending.slice(cut + 1);
    });
    return running;
  }
}
