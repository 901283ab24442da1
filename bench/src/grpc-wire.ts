import { GrpcChannel } from '@kubelab/proto';

/**
 * The benchmarks' gRPC client: unary calls and one bidirectional stream, messages as raw protobuf
 * bytes, over @kubelab/proto's GrpcChannel (the same direct node:http2 wire the apiserver and the
 * components use), so the benchmarks keep no second copy of gRPC's framing. One HTTP/2
 * connection carries every call.
 */
export class GrpcWire {
  private readonly channel: GrpcChannel;

  constructor(endpoint: string) {
    this.channel = new GrpcChannel(endpoint);
  }

  /** One unary call; resolves with the response message, rejects with the gRPC status ("14 UNAVAILABLE: ..."). */
  unary(path: string, request: Buffer): Promise<Buffer> {
    // A benchmark's call has no deadline of its own; this one only bounds a server that hangs.
    return this.channel.unary(path, request, 300_000);
  }

  /** A bidirectional stream: `send` writes a message, `onMessage` gets each message received. */
  stream(path: string, onMessage: (message: Buffer) => void): { send(message: Buffer): void; close(): void } {
    const stream = this.channel.stream(path, onMessage, () => {});
    return { send: (message) => stream.send(message), close: () => stream.cancel() };
  }

  close(): void {
    this.channel.close();
  }
}
