import type { Controller, ControllerContext } from '../../controller/context';
import { NamespaceController } from './namespace-controller';

export { NamespaceController, NAMESPACE_DELETION_GRACE_PERIOD_MS } from './namespace-controller';
export { FINALIZER_KUBERNETES, NAMESPACED_RESOURCES } from './namespaced-resources-deleter';

/** The namespace controller, as the registry starts it. */
export function newNamespaceController(ctx: ControllerContext): Controller {
  return new NamespaceController(ctx);
}
