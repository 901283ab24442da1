import type { Controller, ControllerContext } from '../../controller/context';
import { EndpointsController } from './endpoints-controller';

export { EndpointsController, HEADLESS_SERVICE_LABEL } from './endpoints-controller';
export { endpointSubsets } from './subsets';

/** The endpoints controller, as the registry starts it. */
export function newEndpointsController(ctx: ControllerContext): Controller {
  return new EndpointsController(ctx);
}
