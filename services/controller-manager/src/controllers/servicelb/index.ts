import type { Controller, ControllerContext } from '../../controller/context';
import { ServiceLBController } from './service-lb-controller';

export { ServiceLBController } from './service-lb-controller';
export { LOAD_BALANCER_CLEANUP_FINALIZER } from './needs-update';

/** The service load balancer controller, as the registry starts it. */
export function newServiceLBController(ctx: ControllerContext): Controller {
  return new ServiceLBController(ctx);
}
