export { NodeLifecycleController } from './node-lifecycle-controller';
