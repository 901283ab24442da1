import type { Controller, ControllerContext } from '../../controller/context';
import { PodGCController } from './pod-gc-controller';

export { DEFAULT_TERMINATED_POD_THRESHOLD, PodGCController } from './pod-gc-controller';

/** kube-controller-manager's "pod-garbage-collector-controller". */
export function newPodGCController(ctx: ControllerContext): Controller {
  return new PodGCController(ctx);
}
