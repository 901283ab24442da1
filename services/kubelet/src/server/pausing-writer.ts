import type { Writable } from 'node:stream';

/**
 * Writes a call's data on to a slower reader (a container's stdin, a pod's socket): when the
 * reader's buffer is full, the call is paused (gRPC flow control then slows its sender) until
 * the reader drains or closes, so nothing piles up in the kubelet.
 */
export class PausingWriter {
  private behind = false;

  constructor(private readonly source: { pause(): unknown; resume(): unknown }) {}

  write(to: Writable, data: Uint8Array): void {
    if (to.write(data) || this.behind) return;
    this.behind = true;
    this.source.pause();
    const caughtUp = () => {
      to.off('drain', caughtUp);
      to.off('close', caughtUp);
      this.behind = false;
      this.source.resume();
    };
    to.once('drain', caughtUp);
    to.once('close', caughtUp);
  }
}
