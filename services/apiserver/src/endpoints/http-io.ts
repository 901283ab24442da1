import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, Errors, toStatus } from '../errors';

/** Kubernetes' limit on a request body (3 MiB); larger ones get 413. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Reads the body, at most MAX_BODY_BYTES. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      req.resume();
      return reject(Errors.tooLarge());
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.destroy();
        reject(Errors.tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The magic bytes that open a Kubernetes protobuf body ("k8s\0"). */
const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/**
 * Parses a JSON body; a malformed one is a 400 with the parser's reason, as Kubernetes answers.
 * Protobuf bodies get 415, which tells client-go (kubectl's typed clients) to resend as JSON.
 */
export function parseJson(body: Buffer, what = 'the body of the request'): unknown {
  if (body.subarray(0, 4).equals(PROTOBUF_MAGIC)) throw Errors.unsupportedMediaType('application/vnd.kubernetes.protobuf');
  if (body.length === 0) throw Errors.badRequest(`${what} is empty`);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw Errors.badRequest(`error decoding ${what}: ${(error as Error).message}`);
  }
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  sendText(res, code, JSON.stringify(body));
}

/** Sends JSON that is already text. */
export function sendText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

export function sendError(res: ServerResponse, error: unknown): void {
  const status = toStatus(error);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status.code, status);
}

export function isApiError(error: unknown, code: number): boolean {
  return error instanceof ApiError && error.status.code === code;
}
