export { loadEtcdApi, ETCD_PROTO_OPTIONS, PROTO_ROOT } from './etcd';
export type { EtcdApi } from './etcd';
