export { loadEtcdApi, ETCD_PROTO_OPTIONS, PROTO_ROOT } from './etcd';
export type { EtcdApi } from './etcd';
export { loadObjectsApi, STATUS_METADATA_KEY } from './objects';
export type { ObjectsApi } from './objects';
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
