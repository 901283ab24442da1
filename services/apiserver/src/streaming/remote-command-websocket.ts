import type { Logger } from '@kubelab/component-base';
import type { WebSocket } from 'ws';
import { Channel, decodeChannelMessage, encodeChannelMessage, type ChannelProtocol } from './channel-protocol';
import type { KubeletClient } from './kubelet-client';
import { RemoteCommandProxy, type RemoteCommandTarget } from './remote-command';

const HIGH_WATER_MARK = 1024 * 1024;
const LOW_WATER_MARK = 256 * 1024;

/**
 * exec / attach over a WebSocket with the channel protocol (what kubectl 1.30+ speaks first:
 * v5.channel.k8s.io): stdout and stderr go out on channels 1 and 2, the final Status on channel 3, then a normal
 * close (1000), which kubectl reads as the end of every stream.
 */
export function serveRemoteCommandWebSocket(ws: WebSocket, protocol: ChannelProtocol, client: KubeletClient, target: RemoteCommandTarget, log: Logger): void {
  // Output waits at the kubelet, not here, while kubectl is behind.
  let paused = false;
  const send = (channel: number, data: Uint8Array) => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(encodeChannelMessage(protocol, channel, data), () => {
      if (paused && ws.bufferedAmount < LOW_WATER_MARK) {
        paused = false;
        proxy.resume();
      }
    });
    if (!paused && ws.bufferedAmount > HIGH_WATER_MARK) {
      paused = true;
      proxy.pause();
    }
  };
  const proxy = new RemoteCommandProxy(client, target, {
    stdout: (data) => send(Channel.stdout, data),
    stderr: (data) => send(Channel.stderr, data),
    finish(status) {
      const failed = (status as { status?: string }).status !== 'Success';
      // Before v4 the error channel carries plain text, and nothing on success.
      if (protocol.version >= 4) send(Channel.error, Buffer.from(JSON.stringify(status)));
      else if (failed) send(Channel.error, Buffer.from((status as { message?: string }).message ?? ''));
      if (ws.readyState === ws.OPEN) ws.close(1000);
    },
  }, log);
  // Kubernetes' own server sends an empty "ready" message on the lowest output channel here. kubectl
  // (v5) does not need it and, when it lands before kubectl has set up its streams (a busy
  // machine), prints "Unknown stream id 1, discarding message": so kubelab does not send it.

  ws.on('message', (message: Buffer, isBinary: boolean) => {
    const decoded = decodeChannelMessage(protocol, message, isBinary);
    if (!decoded) return;
    if ('closeChannel' in decoded) {
      if (decoded.closeChannel === Channel.stdin) proxy.closeStdin();
      return;
    }
    if (decoded.channel === Channel.stdin) {
      // The kubelet is behind (a slow reader in the container): stop reading kubectl until it catches up.
      if (!proxy.stdin(decoded.data) && !ws.isPaused) {
        ws.pause();
        proxy.onDrain(() => ws.resume());
      }
    } else if (decoded.channel === Channel.resize) {
      for (const size of parseTerminalSizes(decoded.data)) proxy.resize(size);
    }
  });
  ws.on('close', () => proxy.cancel());
  ws.on('error', (error) => log.debug({ err: error.message }, 'exec websocket error'));
}

/** remotecommand.TerminalSize values, JSON ({"Width":80,"Height":24}), one or several in a row. */
export function parseTerminalSizes(data: Buffer): Array<{ width: number; height: number }> {
  const sizes: Array<{ width: number; height: number }> = [];
  for (const text of data.toString('utf8').split(/(?<=})\s*/)) {
    if (!text.trim()) continue;
    try {
      const size = JSON.parse(text) as { Width?: number; Height?: number };
      sizes.push({ width: size.Width ?? 0, height: size.Height ?? 0 });
    } catch {
      // A torn or malformed size is skipped, as Kubernetes logs and skips it.
    }
  }
  return sizes;
}
