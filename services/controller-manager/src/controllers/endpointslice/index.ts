import type { Controller, ControllerContext } from '../../controller/context';
import { EndpointSliceController } from './endpointslice-controller';

export { EndpointSliceController } from './endpointslice-controller';

/** kube-controller-manager's "endpointslice-controller" (alias "endpointslice"). */
export function newEndpointSliceController(ctx: ControllerContext): Controller {
  return new EndpointSliceController(ctx);
}
