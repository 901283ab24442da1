import type { Controller, ControllerContext } from '../../controller/context';
import { TaintEvictionController } from './taint-eviction-controller';

export { TaintEvictionController } from './taint-eviction-controller';

/** kube-controller-manager's "taint-eviction-controller". */
export function newTaintEvictionController(ctx: ControllerContext): Controller {
  return new TaintEvictionController(ctx);
}
