import * as zlib from 'node:zlib';

/**
 * The SPDY/3 header compression dictionary (draft-mbelshe-httpbis-spdy-00, 2.6.10.1): common
 * header names and values, each length-prefixed, then a run of status lines, dates and media
 * types. zlib is primed with it, so even the first header block compresses well. Peers must
 * agree on it byte for byte (zlib checks its Adler-32).
 */
export const SPDY_DICTIONARY: Buffer = (() => {
  const words = [
    'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding', 'accept-language',
    'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection', 'content-base', 'content-encoding',
    'content-language', 'content-length', 'content-location', 'content-md5', 'content-range', 'content-type', 'date', 'etag',
    'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since',
    'last-modified', 'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer',
    'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning',
    'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public', 'set-cookie', 'keep-alive',
    'origin',
  ];
  const tail =
    '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
    '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized' +
    '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
    'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
    'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,text/javascript,' +
    'publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';
  const parts: Buffer[] = [];
  for (const word of words) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(word.length, 0);
    parts.push(length, Buffer.from(word, 'latin1'));
  }
  parts.push(Buffer.from(tail, 'latin1'));
  return Buffer.concat(parts);
})();

/**
 * One direction's zlib context: every header block of a connection goes through the same
 * stream, each flushed on its own (Z_SYNC_FLUSH) so the peer can read it at once. Calls are
 * queued, so blocks come out in the order they went in.
 */
export class HeaderCompression {
  private readonly stream: zlib.Deflate | zlib.Inflate;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(direction: 'compress' | 'decompress') {
    this.stream = direction === 'compress' ? zlib.createDeflate({ dictionary: SPDY_DICTIONARY }) : zlib.createInflate({ dictionary: SPDY_DICTIONARY });
    // Failures surface through the pending call; an idle stream's error must not crash the process.
    this.stream.on('error', () => {});
  }

  /** Compresses (or decompresses) one header block. */
  process(block: Buffer): Promise<Buffer> {
    const next = this.queue.then(() => this.run(block));
    this.queue = next.catch(() => {});
    return next;
  }

  close(): void {
    this.stream.close();
  }

  private run(block: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.stream.once('error', onError);
      this.stream.write(block);
      this.stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        this.stream.off('error', onError);
        const chunks: Buffer[] = [];
        for (let chunk = this.stream.read() as Buffer | null; chunk; chunk = this.stream.read() as Buffer | null) chunks.push(chunk);
        resolve(Buffer.concat(chunks));
      });
    });
  }
}
