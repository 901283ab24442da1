export { DaemonSetsController } from './daemonset-controller';
