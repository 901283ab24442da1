import type { Controller, ControllerContext } from '../../controller/context';
import { GarbageCollector } from './garbage-collector';

export { GarbageCollector } from './garbage-collector';
export { GARBAGE_COLLECTED_RESOURCES } from './resources';
export type { GarbageCollectedResource } from './resources';

/** kube-controller-manager's "garbage-collector-controller". */
export function newGarbageCollector(ctx: ControllerContext): Controller {
  return new GarbageCollector(ctx);
}
