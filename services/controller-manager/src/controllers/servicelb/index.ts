import type { Controller, ControllerContext } from '../../controller/context';
import { ServiceLBController } from './service-lb-controller';

export { ServiceLBController } from './service-lb-controller';

/** kube-controller-manager's "service-lb-controller" (alias "service"; the cloud-controller-manager's in Kubernetes). */
export function newServiceLBController(ctx: ControllerContext): Controller {
  return new ServiceLBController(ctx);
}
