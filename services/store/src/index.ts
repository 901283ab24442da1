export { main } from './main';
export { startStore } from './store';
export type { RunningStore } from './store';
export { parseStoreFlags } from './config';
export type { StoreConfig } from './config';
