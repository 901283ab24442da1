import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorToStatus } from '@kubelab/apimachinery';
import { Errors } from '../errors';
import { decodeKubernetesProtobuf, isKubernetesProtobuf, ProtobufDecodeError } from './protobuf';

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

/**
 * Parses a request body: JSON, or Kubernetes protobuf (what kubectl's typed clients send for
 * `kubectl create deployment|namespace|configmap|...`), decoded into the same JSON form. A
 * malformed body is a 400 with the reason, a protobuf kind kubelab cannot decode a 415.
 */
export function parseJson(body: Buffer, what = 'the body of the request'): unknown {
  if (isKubernetesProtobuf(body)) {
    try {
      return decodeKubernetesProtobuf(body);
    } catch (error) {
      if (error instanceof ProtobufDecodeError && error.reason === 'UnsupportedType') throw Errors.unsupportedMediaType();
      throw Errors.badRequest(`error decoding ${what}: ${(error as Error).message}`);
    }
  }
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
  const status = errorToStatus(error);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status.code, status);
}
