export { main } from './main';
export { startKubelet } from './kubelet';
export type { RunningKubelet } from './kubelet';
export { parseKubeletFlags } from './config';
export type { KubeletConfig } from './config';
// For `kubelab down`: the containers a kubelet leaves running when it stops.
export { stopAllContainers } from './runtime/cleanup';
// For metrics-server: what the kubelet publishes on NATS.
export { STATS_SUBJECT } from './stats/types';
export type { NodeStatsSample, PodStatsSample } from './stats/types';
