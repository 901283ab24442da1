import type { Controller, ControllerContext } from '../../controller/context';
import { NamespaceController } from './namespace-controller';

export { NamespaceController } from './namespace-controller';

/** kube-controller-manager's "namespace-controller" (alias "namespace"). */
export function newNamespaceController(ctx: ControllerContext): Controller {
  return new NamespaceController(ctx);
}
