import type { Controller, ControllerContext } from '../../controller/context';
import { EndpointSliceController } from './endpointslice-controller';

export { EndpointSliceController } from './endpointslice-controller';
export { CONTROLLER_NAME, MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from './endpoint-slice';

/** The EndpointSlice controller, as the registry starts it. */
export function newEndpointSliceController(ctx: ControllerContext): Controller {
  return new EndpointSliceController(ctx);
}
