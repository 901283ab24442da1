export { main } from './main';
export { startKubelet } from './kubelet';
export type { RunningKubelet } from './kubelet';
export { parseKubeletFlags } from './config';
export type { KubeletConfig } from './config';
