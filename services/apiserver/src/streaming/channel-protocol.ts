/**
 * The WebSocket subprotocols of `kubectl exec` / `attach` (Kubernetes' wsstream): each binary
 * message starts with a channel byte: 0 stdin, 1 stdout, 2 stderr, 3 error (the final
 * metav1.Status, JSON from v4 on, plain text before), 4 resize (JSON {"Width","Height"}).
 * v5 adds 255: the message [255, n] closes channel n (kubectl sends [255, 0] at the end of stdin).
 * The base64 variants send text messages: the channel as a digit, then the data in base64.
 */

export const Channel = {
  stdin: 0,
  stdout: 1,
  stderr: 2,
  error: 3,
  resize: 4,
  /** v5: [255, n] closes channel n. */
  close: 255,
} as const;

export interface ChannelProtocol {
  /** The subprotocol name as negotiated (Sec-WebSocket-Protocol). */
  name: string;
  /** 5, 4, or 1 for the unversioned channel.k8s.io (plain-text errors, no close signal). */
  version: 1 | 4 | 5;
  base64: boolean;
}

const PROTOCOLS: ChannelProtocol[] = [
  { name: 'v5.channel.k8s.io', version: 5, base64: false },
  { name: 'v5.base64.channel.k8s.io', version: 5, base64: true },
  { name: 'v4.channel.k8s.io', version: 4, base64: false },
  { name: 'v4.base64.channel.k8s.io', version: 4, base64: true },
  { name: 'channel.k8s.io', version: 1, base64: false },
  { name: 'base64.channel.k8s.io', version: 1, base64: true },
];

/** The names the apiserver accepts for exec and attach, best first. */
export const CHANNEL_PROTOCOL_NAMES = PROTOCOLS.map((p) => p.name);

/**
 * The protocol for what the client offers: the first of its list that is supported, as
 * Kubernetes' handshake picks; a client that offers none gets channel.k8s.io.
 */
export function negotiateChannelProtocol(offered: readonly string[]): ChannelProtocol | undefined {
  if (offered.length === 0) return PROTOCOLS.find((p) => p.name === 'channel.k8s.io');
  for (const name of offered) {
    const found = PROTOCOLS.find((p) => p.name === name.trim());
    if (found) return found;
  }
  return undefined;
}

/** A message on one channel, as the protocol frames it. */
export function encodeChannelMessage(protocol: ChannelProtocol, channel: number, data: Uint8Array): Buffer | string {
  if (protocol.base64) return String.fromCharCode(48 + channel) + Buffer.from(data).toString('base64');
  const message = Buffer.allocUnsafe(data.length + 1);
  message[0] = channel;
  message.set(data, 1);
  return message;
}

export type ChannelMessage = { channel: number; data: Buffer } | { closeChannel: number };

/** Reads a client message; undefined for an empty one (nothing to do). */
export function decodeChannelMessage(protocol: ChannelProtocol, message: Buffer, isBinary: boolean): ChannelMessage | undefined {
  if (message.length === 0) return undefined;
  if (protocol.version >= 5 && isBinary && message[0] === Channel.close) {
    return message.length >= 2 ? { closeChannel: message[1]! } : undefined;
  }
  if (protocol.base64) {
    const channel = message[0]! - 48;
    return { channel, data: Buffer.from(message.subarray(1).toString('latin1'), 'base64') };
  }
  return { channel: message[0]!, data: message.subarray(1) };
}
