export { GarbageCollector } from './garbage-collector';
