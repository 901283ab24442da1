export { loadEtcdApi, ETCD_PROTO_OPTIONS, PROTO_ROOT } from './etcd';
export type { EtcdApi } from './etcd';
export { loadObjectsApi, STATUS_METADATA_KEY } from './objects';
export type { ObjectsApi } from './objects';
export { loadKubeletApi, KUBELET_PROTO_OPTIONS } from './kubelet';
export type { KubeletApi } from './kubelet';
export type { ContainerLogsRequest, LogChunk, PortForwardRequest, PortForwardResponse, PortForwardStart, StreamRequest, StreamResponse, StreamStart, TerminalSize } from './kubelet-messages';
export type {
  BindRequest,
  CreateRequest,
  DeleteRequest,
  DeleteResponse,
  GetRequest,
  ListRequest,
  ListResponse,
  ObjectResponse,
  PatchRequest,
  PatchType,
  Preconditions,
  ResourceFields,
  UpdateRequest,
  WatchEvent,
  WatchEventType,
  WatchRequest,
} from './objects-messages';
export { OBJECTS_SERVICE } from './objects-codec';
export { loadObjectsProtoDefinition } from './objects';
export { etcdServiceDefinitions } from './etcd';
export type { EtcdServiceDefinitions, EtcdServiceName } from './etcd';
export { etcdCodecs, ETCD_CODEC_METHODS } from './etcd-codec';
export type { EtcdMessageName, EtcdMessageCodec } from './etcd-codec';
export { GrpcChannel, FrameReader, frame, grpcError } from './grpc-channel';
export { Code, codeName, goStatusText } from './grpc-codes';
export type { GrpcChannelOptions, GrpcError, GrpcStream } from './grpc-channel';
export { startGrpcServer } from './grpc-server';
export type { GrpcMethod, GrpcServer, GrpcServerOptions } from './grpc-server';
export type { BidiStreamingMethod, GrpcServerLogger, RequestListener, ServerStream, ServerStreamingMethod, UnaryMethod } from './grpc-server-call';
export { CallStatusError } from './grpc-server-status';
export type { CallStatus } from './grpc-server-status';
