import type { Controller, ControllerContext } from '../../controller/context';
import { ServiceAccountsController } from './serviceaccounts-controller';

export { ServiceAccountsController, SERVICE_ACCOUNTS_TO_ENSURE } from './serviceaccounts-controller';

/** The serviceaccount controller, as the registry starts it. */
export function newServiceAccountsController(ctx: ControllerContext): Controller {
  return new ServiceAccountsController(ctx);
}
