export { PodGCController } from './pod-gc-controller';
