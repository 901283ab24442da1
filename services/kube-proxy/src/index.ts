export { main } from './main';
export { parseKubeProxyFlags } from './config';
export type { BindAddress, KubeProxyConfig } from './config';
export { startKubeProxy } from './server';
export type { KubeProxyOptions, RunningKubeProxy } from './server';
export { parseExtraPortMappings } from './extra-port-mappings';
export type { ExtraPortMapping } from './extra-port-mappings';
