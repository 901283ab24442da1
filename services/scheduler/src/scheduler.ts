import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { metaNamespaceKey, type ClientLogger, type Clock, type EventRecorder, type Informer, type InformerFactory, type ObjectsClient } from '@kubelab/client';
import { SchedulerCache } from './cache/cache';
import { ClusterSnapshot } from './cache/snapshot';
import { addAllEventHandlers } from './event-handlers';
import { Framework, type PluginEntry } from './framework/framework';
import type { Pod } from './framework/types';
import type { SchedulerMetrics } from './metrics';
import { DEFAULT_PLUGINS } from './plugins/registry';
import { SchedulingQueue } from './queue/scheduling-queue';
import { scheduleOne } from './schedule-one';

/**
 * The loop runs scheduling cycles back to back, up to this many or for up to this long, before it
 * lets informer events and binding answers in. An event-loop turn after every cycle costs about
 * as much as a cycle on 1,000 nodes, and answers read and requests written together cost less;
 * the pods bound meanwhile are in the cache already (assumed).
 */
const MAX_CYCLES_BETWEEN_YIELDS = 16;
const MAX_MS_BETWEEN_YIELDS = 10;

export interface SchedulerInformers {
  /** Every pod not Succeeded or Failed (pending ones queue, assigned ones fill the cache). */
  pods: Informer;
  nodes: Informer;
  namespaces: Informer;
  /** Where plugins get the other kinds they read (started, and synced, with the rest). */
  factory?: InformerFactory;
}

export interface SchedulerOptions {
  client: ObjectsClient;
  informers: SchedulerInformers;
  recorder: Pick<EventRecorder, 'event'>;
  clock: Clock;
  log: ClientLogger;
  /** The profile: pods whose spec.schedulerName is this are ours ("default-scheduler"). */
  schedulerName: string;
  plugins?: readonly PluginEntry[];
  podInitialBackoffMs?: number;
  podMaxBackoffMs?: number;
  /** percentageOfNodesToScore; 0 (the default) is Kubernetes' adaptive 50% - nodes/125, at least 5%. */
  percentageOfNodesToScore?: number;
  metrics?: SchedulerMetrics;
  /** Breaks ties between the best-scored nodes (Math.random; tests pin it). */
  random?: () => number;
}

/**
 * kube-scheduler's Scheduler (pkg/scheduler): informers feed the cache (nodes and assigned pods)
 * and the queue (pending pods); one loop pops a pod, runs a scheduling cycle on a snapshot of the
 * cache (schedule-one.ts) and, when a node is found, assumes the pod there and binds it in the
 * background while the loop goes on to the next pod.
 */
export class Scheduler {
  readonly cache: SchedulerCache;
  readonly snapshot = new ClusterSnapshot();
  readonly framework: Framework;
  readonly queue: SchedulingQueue;
  readonly client: ObjectsClient;
  readonly recorder: Pick<EventRecorder, 'event'>;
  readonly clock: Clock;
  readonly log: ClientLogger;
  readonly metrics: SchedulerMetrics | undefined;
  readonly percentageOfNodesToScore: number;
  readonly random: () => number;
  /** Where the next cycle starts looking, so successive pods spread over the nodes (nextStartNodeIndex). */
  nextStartNodeIndex = 0;
  private readonly bindings = new Set<Promise<void>>();

  constructor(private readonly options: SchedulerOptions) {
    this.client = options.client;
    this.recorder = options.recorder;
    this.clock = options.clock;
    this.log = options.log;
    this.metrics = options.metrics;
    this.percentageOfNodesToScore = options.percentageOfNodesToScore ?? 0;
    this.random = options.random ?? Math.random;
    this.cache = new SchedulerCache(options.log);
    this.framework = new Framework({
      profileName: options.schedulerName,
      plugins: options.plugins ?? DEFAULT_PLUGINS,
      snapshot: this.snapshot,
      nominator: { nominatedPodsForNode: (nodeName) => this.queue.nominator.nominatedPodsForNode(nodeName) },
      client: options.client,
      recorder: options.recorder,
      clock: options.clock,
      sharedInformerFactory: options.informers.factory,
    });
    this.queue = new SchedulingQueue({
      less: (a, b) => this.framework.queueSortLess(a, b),
      clock: options.clock,
      podInitialBackoffMs: options.podInitialBackoffMs,
      podMaxBackoffMs: options.podMaxBackoffMs,
      eventsToRegister: this.framework.eventsToRegister(),
      podLister: (namespace, name) => this.podLister(namespace, name),
      log: options.log,
    });
    addAllEventHandlers(this, options.informers);
  }

  /** The pod as the informer has it now. */
  podLister(namespace: string, name: string): Pod | undefined {
    return this.options.informers.pods.indexer.get(namespace, name);
  }

  /** Schedules pods until `signal` aborts (the informers must have synced), then waits for the bindings under way. */
  async run(signal: AbortSignal): Promise<void> {
    this.queue.run();
    this.metrics?.watchQueue(this.queue);
    try {
      let cycles = 0;
      let batchStart = this.clock.now();
      while (!signal.aborted) {
        const pInfo = await this.queue.pop(signal);
        if (!pInfo) break;
        try {
          await scheduleOne(this, pInfo);
        } catch (error) {
          // A bug in one pod's turn must not stop the loop: the pod is retried after its back-off.
          this.log.error({ pod: metaNamespaceKey(pInfo.podInfo.pod), err: (error as Error).message }, 'scheduling attempt failed');
          if (!this.queue.whereIs(pInfo.podInfo.pod)) this.queue.addUnschedulableIfNotPresent(pInfo);
          this.queue.done(pInfo.podInfo.pod);
        }
        // Let informer events and binding answers in, once a batch of cycles is done.
        if (++cycles >= MAX_CYCLES_BETWEEN_YIELDS || this.clock.now() - batchStart >= MAX_MS_BETWEEN_YIELDS) {
          await yieldToEventLoop();
          cycles = 0;
          batchStart = this.clock.now();
        }
      }
    } finally {
      this.queue.close();
      this.metrics?.watchQueue(undefined);
      await Promise.allSettled([...this.bindings]);
    }
  }

  /** Keeps a binding under way known, so run() can wait for it. */
  trackBinding(binding: Promise<void>): void {
    this.bindings.add(binding);
    // A binding cycle that fails unexpectedly is logged: it must not take the scheduler down.
    binding
      .catch((error: Error) => this.log.error({ err: error.message }, 'binding cycle failed'))
      .finally(() => this.bindings.delete(binding));
  }
}
