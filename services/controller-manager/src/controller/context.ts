import type { Clock, EventRecorder, InformerFactory, ObjectsClient } from '@kubelab/client';
import type { Logger } from '@kubelab/component-base';
import type { ControllerTimings } from '../config';

/** What every controller is given (the controller-manager's ControllerContext). */
export interface ControllerContext {
  client: ObjectsClient;
  /** Shared informers: ask for a resource here, never start a watch of your own. */
  informers: InformerFactory;
  /** An event recorder whose events say `From: <component>` ("deployment-controller"). */
  recorder(component: string): EventRecorder;
  clock: Clock;
  log: Logger;
  timings: ControllerTimings;
  /**
   * --concurrent-syncs: the workers of every controller that has a --concurrent-*-syncs flag in
   * Kubernetes; absent, each runs Kubernetes' default for it (see QueueControllerOptions).
   */
  concurrentSyncs?: number;
  /** The addresses the service load balancer hands out (the cloud-controller part). */
  loadBalancerIPPool: string[];
}

/** A controller: it runs until the signal aborts (when the controller-manager stops leading). */
export interface Controller {
  readonly name: string;
  run(signal: AbortSignal): Promise<void>;
}
