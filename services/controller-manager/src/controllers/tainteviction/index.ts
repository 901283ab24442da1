export { TaintEvictionController } from './taint-eviction-controller';
