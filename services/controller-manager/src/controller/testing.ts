import { EventRecorder, FakeClock, FakeObjectsServer, InformerFactory, ObjectsClient, Resources, type GroupVersionResource, type KubeObject } from '@kubelab/client';
import { createLogger, waitFor } from '@kubelab/component-base';
import type { ControllerTimings } from '../config';
import type { ControllerContext } from './context';
import type { QueueController } from './queue-controller';

/** Kubernetes' default timings, for tests that do not care. */
export const DEFAULT_TIMINGS: ControllerTimings = { nodeMonitorPeriodMs: 5_000, nodeMonitorGracePeriodMs: 50_000, nodeStartupGracePeriodMs: 60_000 };

export interface TestEnv {
  server: FakeObjectsServer;
  client: ObjectsClient;
  clock: FakeClock;
  ctx: ControllerContext;
  /** Every object of a resource in the fake server ("apps/replicasets", "/pods"). */
  objects(groupResource: string, namespace?: string): KubeObject[];
  /** The events written so far, as "Type Reason Message". */
  events(): Promise<string[]>;
  close(): Promise<void>;
}

export interface TestEnvOptions {
  startMs?: number;
  timings?: Partial<ControllerTimings>;
  loadBalancerIPPool?: string[];
  concurrentSyncs?: number;
}

/**
 * A controller's world for unit tests: an in-memory object API over real gRPC, the shared
 * informers on it, a FakeClock, and recorders that write events into the same fake.
 */
export async function testEnv(options: TestEnvOptions = {}): Promise<TestEnv> {
  const server = new FakeObjectsServer();
  const target = await server.start();
  const client = new ObjectsClient(target);
  const clock = new FakeClock(options.startMs ?? Date.parse('2026-01-01T00:00:00Z'));
  const log = createLogger('test', 'silent');
  const informers = new InformerFactory({ client, clock, log });
  const recorders: EventRecorder[] = [];
  const ctx: ControllerContext = {
    client,
    informers,
    recorder: (component) => {
      const r = new EventRecorder({ client, component, clock, log });
      recorders.push(r);
      return r;
    },
    clock,
    log,
    timings: { ...DEFAULT_TIMINGS, ...options.timings },
    loadBalancerIPPool: options.loadBalancerIPPool ?? ['127.0.200.1', '127.0.200.2'],
    concurrentSyncs: options.concurrentSyncs,
  };
  const objects = (groupResource: string, namespace?: string) =>
    [...server.objects.entries()].filter(([key]) => key.startsWith(`${groupResource}/${namespace !== undefined ? `${namespace}/` : ''}`)).map(([, o]) => o);
  return {
    server,
    client,
    clock,
    ctx,
    objects,
    events: async () => {
      await Promise.all(recorders.map((r) => r.flush()));
      return objects('/events').map((e) => `${e.type} ${e.reason} ${e.message}`);
    },
    close: async () => {
      await informers.stop();
      await Promise.all(recorders.map((r) => r.close()));
      client.close();
      server.stop();
    },
  };
}

/** An object a test puts into the fake apiserver before the controller starts. */
export type Fixture = [GroupVersionResource, KubeObject];

/**
 * A controller over fixtures: writes them into the fake apiserver (as another client would),
 * makes the controller (which asks for its informers), then starts the shared informers and
 * waits until their caches are filled.
 */
export async function startController<C>(env: TestEnv, make: (ctx: ControllerContext) => C | Promise<C>, fixtures: Iterable<Fixture> = []): Promise<C> {
  for (const [resource, object] of fixtures) env.server.write(resource, 'ADDED', object);
  const controller = await make(env.ctx);
  env.ctx.informers.start();
  await env.ctx.informers.waitForSync();
  return controller;
}

/**
 * Waits until the shared informers of `resources` hold exactly what the fake apiserver holds, at
 * the same resourceVersions: a controller's writes (and a test's) reach its caches through the
 * watch, asynchronously, so a test waits for this before the next reconcile instead of sleeping.
 */
export async function caughtUp(env: TestEnv, ...resources: GroupVersionResource[]): Promise<void> {
  await waitFor(
    () =>
      resources.every((gvr) => {
        const stored = env.objects(`${gvr.group}/${gvr.resource}`);
        const cache = env.ctx.informers.informer(gvr).indexer;
        return cache.size === stored.length && stored.every((o) => cache.get(o.metadata.namespace, o.metadata.name!)?.metadata.resourceVersion === o.metadata.resourceVersion);
      }) || undefined,
    { timeoutMs: 5_000, intervalMs: 5, what: `caches of ${resources.map((r) => r.resource).join(', ')} to catch up` },
  );
}

/** What a test may look at in a controller's work queue. */
export interface QueueProbe {
  /** Keys ready to be reconciled. */
  pending(): number;
  /** Keys waiting for their time to come (enqueueAfter, a retry's back-off). */
  waiting(): number;
  /** Reconciles keys until none is ready. */
  drain(): Promise<void>;
  /** Takes the ready keys out of the queue, unreconciled, sorted. */
  takeQueued(): Promise<string[]>;
  /** The controller's rate limiter: each call counts a failure of the key and says how long its retry waits. */
  retryDelay(key: string): number;
}

// A mixin's base must take `any[]` (TypeScript's rule for a class extending a type parameter).
type QueueControllerClass = new (...args: any[]) => QueueController;

/** The controller class, with a look at its queue (`new (withQueueProbe(EndpointsController))(ctx)`). */
export function withQueueProbe<B extends QueueControllerClass>(Base: B): new (...args: ConstructorParameters<B>) => InstanceType<B> & QueueProbe {
  // Abstract only to the type checker: the concrete controller class it extends implements reconcile().
  abstract class Probed extends Base implements QueueProbe {
    pending(): number {
      return this.queue.len();
    }
    waiting(): number {
      return this.queue.waitingLen();
    }
    async drain(): Promise<void> {
      while (this.queue.len() > 0) await this.processNextItem();
    }
    async takeQueued(): Promise<string[]> {
      const keys: string[] = [];
      while (this.queue.len() > 0) {
        const { item, shutdown } = await this.queue.get();
        if (shutdown) break;
        this.queue.done(item);
        keys.push(item);
      }
      return keys.sort();
    }
    retryDelay(key: string): number {
      return this.queue.rateLimiter.when(key);
    }
  }
  return Probed as unknown as new (...args: ConstructorParameters<B>) => InstanceType<B> & QueueProbe;
}

/** A change of an object's spec, as `kubectl edit` makes it (the apiserver bumps metadata.generation). */
export function editSpec<T extends KubeObject>(env: TestEnv, resource: GroupVersionResource, object: T, change: (edited: T) => void): void {
  const edited = structuredClone(object);
  change(edited);
  edited.metadata.generation = (edited.metadata.generation ?? 1) + 1;
  env.server.write(resource, 'MODIFIED', edited);
}

/** What a kubelet reports of a pod it runs: bound to `nodeName` (if given), Running, and Ready since `since`. */
export function markRunningReady(env: TestEnv, pod: KubeObject, since: string, nodeName?: string): void {
  env.server.write(Resources.pods, 'MODIFIED', {
    ...pod,
    ...(nodeName ? { spec: { ...pod.spec, nodeName } } : {}),
    status: { ...pod.status, phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: since }] },
  });
}

/** What the apiserver does to a new pod and the fake does not: status.phase Pending. */
export function admitNewPods(env: TestEnv): void {
  for (const pod of env.objects('/pods')) if (!pod.status?.phase) env.server.write(Resources.pods, 'MODIFIED', { ...pod, status: { phase: 'Pending' } });
}
