export { main } from './main';
export { startControllerManager, selectControllers } from './controller-manager';
export type { ControllerManager } from './controller-manager';
export { parseControllerManagerFlags, ipPool } from './config';
export type { ControllerManagerConfig, ControllerTimings } from './config';
export { CONTROLLERS } from './controllers';
