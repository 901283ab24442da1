export { main } from './main';
export { startApiserver, type RunningApiserver } from './apiserver';
export { parseApiserverFlags, type ApiserverConfig } from './config';
