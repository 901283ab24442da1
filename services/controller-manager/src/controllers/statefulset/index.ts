import type { Controller, ControllerContext } from '../../controller/context';
import { StatefulSetController } from './statefulset-controller';

export { StatefulSetController } from './statefulset-controller';

/** kube-controller-manager's "statefulset" controller. */
export function newStatefulSetController(ctx: ControllerContext): Controller {
  return new StatefulSetController(ctx);
}
