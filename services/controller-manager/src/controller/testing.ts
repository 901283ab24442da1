import { EventRecorder, FakeClock, FakeObjectsServer, InformerFactory, ObjectsClient, type KubeObject } from '@kubelab/client';
import { createLogger } from '@kubelab/component-base';
import type { ControllerTimings } from '../config';
import type { ControllerContext } from './context';

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

/**
 * A controller's world for unit tests: an in-memory object API over real gRPC, the shared
 * informers on it, a FakeClock, and recorders that write events into the same fake.
 */
export async function testEnv(options: { startMs?: number; timings?: Partial<ControllerTimings>; loadBalancerIPPool?: string[] } = {}): Promise<TestEnv> {
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
