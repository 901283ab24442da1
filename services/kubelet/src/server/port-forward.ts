import type * as grpc from '@grpc/grpc-js';
import type { Socket } from 'node:net';
import type { Logger } from '@kubelab/component-base';
import { ApiError, isApiError, newBadRequest } from '@kubelab/apimachinery';
import type { PortForwardRequest, PortForwardResponse, PortForwardStart } from '@kubelab/proto';
import { PausingWriter } from './pausing-writer';
import { toServiceError } from './status';
import type { PodStreams } from './types';

/**
 * Kubelet.PortForward (the kubelet's /portForward, one call per forwarded connection): a TCP
 * connection to the pod's port, bytes copied both ways with half-closes kept, each way no faster
 * than its reader takes them. A failure is worded as the kubelet words it: `error forwarding
 * port 8080 to pod <pod>, uid : <why>`.
 */
export function portForwardHandler(streams: PodStreams, log: Logger): grpc.handleBidiStreamingCall<PortForwardRequest, PortForwardResponse> {
  return (call) => {
    let start: PortForwardStart | undefined;
    let socket: Socket | undefined;
    let finished = false;
    let localDone = false; // the caller has finished sending
    let remoteDone = false; // the pod has finished sending
    const early: PortForwardRequest[] = [];

    const fail = (why: unknown) => {
      if (finished) return;
      finished = true;
      socket?.destroy();
      // PodStreams words its refusals as the kubelet does (an ApiError); anything else is wrapped so.
      const error = isApiError(why) ? why : new Error(`error forwarding port ${start?.port ?? 0} to pod ${start ? `${start.pod}_${start.namespace}` : ''}, uid : ${(why as Error).message}`);
      log.debug({ pod: start ? `${start.namespace}/${start.pod}` : undefined, port: start?.port, err: error.message }, 'port forward failed');
      call.emit('error', toServiceError(error));
    };
    const finishIfDone = () => {
      if (finished || !localDone || !remoteDone) return;
      finished = true;
      socket?.end();
      call.end();
    };
    const toPod = new PausingWriter(call);
    const apply = (request: PortForwardRequest, to: Socket) => {
      if (request.message === 'data') {
        toPod.write(to, request.data);
      } else if (request.message === 'closeWrite') {
        localDone = true;
        to.end();
        finishIfDone();
      }
    };

    call.on('data', (request: PortForwardRequest) => {
      if (finished) return;
      if (!start) {
        if (request.message !== 'start') return fail(new ApiError(newBadRequest('the first message must name the pod and port')));
        start = request.start;
        // Bytes wait in the call (not in memory here) while the pod's port is being dialled.
        call.pause();
        streams.portForward(start.namespace, start.pod, start.port).then(
          (connected) => {
            if (finished || call.cancelled) return connected.destroy();
            socket = connected;
            call.resume();
            call.write({ connected: {} });
            connected.on('data', (chunk: Buffer) => {
              if (!call.write({ data: chunk })) {
                connected.pause();
                call.once('drain', () => connected.resume());
              }
            });
            connected.on('end', () => {
              remoteDone = true;
              if (!finished) call.write({ closeWrite: {} });
              finishIfDone();
            });
            connected.on('error', (error) => fail(error));
            connected.on('close', () => {
              // Closed without an orderly end from both sides: the call ends too.
              if (!finished) {
                finished = true;
                call.end();
              }
            });
            for (const pending of early.splice(0)) apply(pending, connected);
          },
          (error: unknown) => fail(error),
        );
        return;
      }
      if (socket) apply(request, socket);
      else early.push(request);
    });
    call.on('cancelled', () => {
      finished = true;
      socket?.destroy();
    });
  };
}
