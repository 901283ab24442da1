import type { Controller, ControllerContext } from '../../controller/context';
import { ServiceAccountsController } from './serviceaccounts-controller';

export { ServiceAccountsController } from './serviceaccounts-controller';

/** kube-controller-manager's "serviceaccount-controller" (alias "serviceaccount"). */
export function newServiceAccountsController(ctx: ControllerContext): Controller {
  return new ServiceAccountsController(ctx);
}
