import type * as grpc from '@grpc/grpc-js';
import { toServiceError } from '../errors';

/**
 * Adapts an async function to a grpc-js unary handler: its result is the response, anything it
 * throws becomes the gRPC status the client sees. No request can crash the process from here.
 */
export function unary<Req, Res>(handler: (request: Req) => Promise<Res> | Res): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => handler(call.request))
      .then(
        (response) => callback(null, response),
        (error: unknown) => callback(toServiceError(error)),
      );
  };
}
