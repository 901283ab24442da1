import { afterEach, describe, expect, it } from 'vitest';
import type { ControllerContext } from '../controller/context';
import type { QueueController } from '../controller/queue-controller';
import { testEnv, withQueueProbe, type TestEnv } from '../controller/testing';
import { DaemonSetsController } from './daemonset';
import { DeploymentController } from './deployment';
import { EndpointsController } from './endpoints';
import { EndpointSliceController } from './endpointslice';
import { GarbageCollector } from './garbagecollector';
import { NamespaceController } from './namespace';
import { NodeLifecycleController } from './nodelifecycle';
import { ReplicaSetController } from './replicaset';
import { ServiceAccountsController } from './serviceaccount';
import { ServiceLBController } from './servicelb';
import { StatefulSetController } from './statefulset';
import { TaintEvictionController } from './tainteviction';

/** client-go's DefaultControllerRateLimiter: 5 ms doubling to 1000 s. */
const DEFAULT_BACKOFF = { first: [5, 10, 20], max: 1_000_000 };

interface Case {
  controller: new (ctx: ControllerContext) => QueueController;
  /** Kubernetes' default workers: its --concurrent-*-syncs default, or 1 when it has no such flag. */
  workers: number;
  /** Whether --concurrent-syncs sets them (it stands for the controller's --concurrent-*-syncs). */
  flag: boolean;
  backoff: { first: number[]; max: number };
}

let env: TestEnv;
afterEach(async () => env?.close());

/** Each controller's work queue as Kubernetes sets it up: its workers and its retry back-off. */
describe('work queues', () => {
  it.each<[string, Case]>([
    ['deployment', { controller: DeploymentController, workers: 5, flag: true, backoff: DEFAULT_BACKOFF }],
    ['replicaset', { controller: ReplicaSetController, workers: 5, flag: true, backoff: DEFAULT_BACKOFF }],
    ['statefulset', { controller: StatefulSetController, workers: 5, flag: true, backoff: DEFAULT_BACKOFF }],
    ['daemonset', { controller: DaemonSetsController, workers: 2, flag: true, backoff: DEFAULT_BACKOFF }],
    ['endpoints', { controller: EndpointsController, workers: 5, flag: true, backoff: DEFAULT_BACKOFF }],
    ['endpointslice: 1 s doubling to 1000 s', { controller: EndpointSliceController, workers: 5, flag: true, backoff: { first: [1_000, 2_000, 4_000], max: 1_000_000 } }],
    ['namespace: 5 ms doubling to 60 s', { controller: NamespaceController, workers: 10, flag: true, backoff: { first: [5, 10, 20], max: 60_000 } }],
    ['garbage collector', { controller: GarbageCollector, workers: 20, flag: true, backoff: DEFAULT_BACKOFF }],
    ['service load balancer: 5 s doubling to 300 s', { controller: ServiceLBController, workers: 1, flag: true, backoff: { first: [5_000, 10_000, 20_000], max: 300_000 } }],
    ['serviceaccount', { controller: ServiceAccountsController, workers: 1, flag: false, backoff: DEFAULT_BACKOFF }],
    ['node lifecycle', { controller: NodeLifecycleController, workers: 1, flag: false, backoff: DEFAULT_BACKOFF }],
    ['taint eviction', { controller: TaintEvictionController, workers: 1, flag: false, backoff: DEFAULT_BACKOFF }],
  ])('%s', async (_name, { controller, workers, flag, backoff }) => {
    env = await testEnv();
    const Probed = withQueueProbe(controller);
    const probed = new Probed(env.ctx);
    expect(probed.workers).toBe(workers);
    const delays = Array.from({ length: 30 }, () => probed.retryDelay('default/web'));
    expect({ first: delays.slice(0, 3), max: delays.at(-1) }).toEqual(backoff);

    const withFlag = await testEnv({ concurrentSyncs: 7 });
    try {
      expect(new controller(withFlag.ctx).workers).toBe(flag ? 7 : workers);
    } finally {
      await withFlag.close();
    }
  });
});
