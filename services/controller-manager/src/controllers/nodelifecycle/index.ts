import type { Controller, ControllerContext } from '../../controller/context';
import { NodeLifecycleController } from './node-lifecycle-controller';

export { NodeLifecycleController } from './node-lifecycle-controller';

/** kube-controller-manager's "node-lifecycle-controller". */
export function newNodeLifecycleController(ctx: ControllerContext): Controller {
  return new NodeLifecycleController(ctx);
}
