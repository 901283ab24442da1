import type { Controller, ControllerContext } from '../../controller/context';
import { EndpointsController } from './endpoints-controller';

export { EndpointsController } from './endpoints-controller';

/** kube-controller-manager's "endpoints-controller" (alias "endpoint"). */
export function newEndpointsController(ctx: ControllerContext): Controller {
  return new EndpointsController(ctx);
}
