import type { Controller, ControllerContext } from '../../controller/context';
import { DaemonSetsController } from './daemonset-controller';

export { DaemonSetsController } from './daemonset-controller';

/** kube-controller-manager's "daemonset" controller. */
export function newDaemonSetsController(ctx: ControllerContext): Controller {
  return new DaemonSetsController(ctx);
}
