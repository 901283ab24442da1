import { Informer, isNotFound, realClock, Resources, type Clock, type EventRecorder, type KubeObject, type ObjectsClient } from '@kubelab/client';
import type { Logger } from '@kubelab/component-base';
import type { PodIPAllocator } from '../network/ipam';
import type { ProbeManager, ProbeUpdate } from '../prober/types';
import type { ContainerRuntime } from '../runtime/types';
import type { PodStreams } from '../server/types';
import { KUBELET_CONDITIONS } from '../status/conditions';
import { sameJSON } from '../status/json-equal';
import { isTerminalPhase } from '../status/phase';
import { StatusManager } from '../status/status-manager';
import { ContainerStarter } from './container-starter';
import type { EnvSources } from './env';
import { PodRecord } from './pod-record';
import { podRef } from './pod-refs';
import { KubeletPodStreams } from './pod-streams';
import { PodSyncer } from './pod-sync';
import { PodWorker } from './pod-worker';

export interface PodWorkersOptions {
  client: ObjectsClient;
  nodeName: string;
  nodeIP: string;
  runtime: ContainerRuntime;
  probes: ProbeManager;
  ipam: PodIPAllocator;
  recorder: EventRecorder;
  clock?: Clock;
  log: Logger;
  crashLoopBackOff: { initialMs: number; maxMs: number };
  dns?: { nameserver: string; clusterDomain: string };
}

/** How often the kubelet says it still waits for its first list of pods and services. */
const SYNC_LOG_EVERY_MS = 15_000;

/** Containers of pods the kubelet no longer has are stopped with this grace period (it cannot know theirs). */
const ORPHAN_GRACE_SECONDS = 30;

/**
 * Runs the pods bound to this node (the kubelet's pod workers): an informer on the node's pods
 * (and one on Services, for the service-link variables), one PodWorker per pod whose syncs run
 * one at a time; container exits and probe results bring a pod's next sync. On start it adopts
 * the containers a previous kubelet left running (a restart restarts nothing) and, once it knows
 * the node's pods, stops and removes the containers of pods that are gone.
 */
export class PodWorkers {
  readonly streams: PodStreams;
  /** The informer on this node's pods; the static pod manager shares it (one watch per kubelet). */
  readonly pods: Informer;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly services: Informer;
  private readonly records = new Map<string, PodRecord>();
  private readonly workers = new Map<string, PodWorker>();
  private readonly statusManager: StatusManager;
  private readonly syncer: PodSyncer;
  private ready = false;
  private stopped = false;
  private cleanup: Promise<void> | undefined;

  constructor(private readonly options: PodWorkersOptions) {
    this.clock = options.clock ?? realClock;
    this.log = options.log;
    const { client, runtime, probes, recorder, nodeName } = options;
    this.pods = new Informer({ client, resource: Resources.pods, fieldSelector: `spec.nodeName=${nodeName}`, clock: this.clock, log: this.log });
    this.services = new Informer({ client, resource: Resources.services, clock: this.clock, log: this.log });
    this.statusManager = new StatusManager({ client, clock: this.clock, log: this.log });
    const envSources: EnvSources = {
      getConfigMap: (namespace, name) => this.getOptional(Resources.configmaps, namespace, name),
      getSecret: (namespace, name) => this.getOptional(Resources.secrets, namespace, name),
      services: () => this.services.indexer.list(),
      nodeAllocatable: async () => ((await client.get(Resources.nodes, undefined, nodeName)).status?.allocatable ?? {}) as Record<string, string>,
      warn: (pod, reason, message) => recorder.event(podRef(pod), 'Warning', reason, message),
    };
    const starter = new ContainerStarter({ runtime, recorder, clock: this.clock, nodeIP: options.nodeIP, envSources, configRetryMs: options.crashLoopBackOff.initialMs });
    this.syncer = new PodSyncer({
      client,
      nodeIP: options.nodeIP,
      runtime,
      probes,
      ipam: options.ipam,
      recorder,
      clock: this.clock,
      log: this.log,
      statusManager: this.statusManager,
      starter,
      dns: options.dns,
      resync: (uid) => this.workers.get(uid)?.enqueue(),
    });
    this.streams = new KubeletPodStreams({
      runtime,
      findPod: (namespace, name) => [...this.records.values()].find((r) => !r.finished && r.namespace === namespace && r.name === name),
      status: (record) => this.syncer.buildStatus(record),
    });
    runtime.onContainerExit((status) => {
      if (!this.stopped) this.workers.get(status.podUid)?.enqueue();
    });
    probes.onUpdate((update) => this.onProbeUpdate(update));
  }

  /** Adopts what runs, starts the informers, waits for them, then syncs every pod (and cleans up orphans in the background). */
  async start(): Promise<void> {
    const adopted = await this.options.runtime.adopt();
    if (adopted.length) this.log.info({ containers: adopted.length, running: adopted.filter((c) => c.state === 'running').length }, 'adopted containers of a previous kubelet');
    this.pods.addEventHandler({
      onAdd: (pod) => this.upsert(pod),
      onUpdate: (_old, pod) => this.upsert(pod),
      onDelete: (pod) => this.remove(pod),
    });
    this.pods.start();
    this.services.start();
    // The apiserver may not be there yet: wait for it as long as it takes, saying so.
    for (;;) {
      try {
        await Promise.all([this.pods.waitForSync(SYNC_LOG_EVERY_MS), this.services.waitForSync(SYNC_LOG_EVERY_MS)]);
        break;
      } catch {
        if (this.stopped) return;
        this.log.warn({ master: this.options.client.target }, 'waiting for the apiserver: pods and services not listed yet');
      }
    }
    if (this.stopped) return;
    this.ready = true;
    this.cleanup = this.cleanUpOrphans().catch((error: Error) => this.log.error({ err: error.message }, 'cleaning up containers of pods that are gone failed'));
    for (const worker of this.workers.values()) worker.enqueue();
  }

  /** Stops watching and syncing; containers keep running (the next kubelet adopts them). */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([this.pods.stop(), this.services.stop()]);
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
    await this.cleanup;
  }

  /** The pods with running containers, for the stats publisher. */
  runningPods(): Array<{ namespace: string; name: string; uid: string; containers: Array<{ name: string; id: string }> }> {
    const out: ReturnType<PodWorkers['runningPods']> = [];
    for (const record of this.records.values()) {
      if (record.finished) continue;
      const containers = this.options.runtime
        .listContainers(record.uid)
        .filter((c) => c.state === 'running')
        .map((c) => ({ name: c.name, id: c.id }));
      if (containers.length) out.push({ namespace: record.namespace, name: record.name, uid: record.uid, containers });
    }
    return out;
  }

  /** Resolves when no pod's sync is running (for tests). */
  async idle(): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => w.idle()));
  }

  private upsert(pod: KubeObject): void {
    const uid = pod.metadata.uid;
    if (!uid) return;
    // A mirror pod stands for a static pod: there is nothing to run (static-pods/ reports its status).
    if (pod.metadata.annotations?.['kubernetes.io/config.mirror'] !== undefined) return;
    if ((pod.spec as { nodeName?: string } | undefined)?.nodeName !== this.options.nodeName) {
      if (this.records.has(uid)) this.remove(pod);
      return;
    }
    this.statusManager.observe(pod);
    let record = this.records.get(uid);
    if (record) {
      if (record.finished || record.removed) return;
      const before = record.pod;
      record.pod = pod;
      record.noticeTermination();
      // The kubelet's own status writes come back here: they are no reason to sync again.
      if (!needsSync(before, pod)) return;
    } else {
      record = new PodRecord(pod, this.clock, this.options.crashLoopBackOff);
      // A pod that finished before (this kubelet restarted) does not run again.
      if (isTerminalPhase((pod.status as { phase?: string } | undefined)?.phase)) record.terminal = true;
      record.ip = this.options.ipam.get(uid);
      const created = record;
      this.records.set(uid, created);
      this.workers.set(uid, new PodWorker(() => this.sync(created), this.clock, this.log.child({ pod: `${created.namespace}/${created.name}` })));
    }
    if (this.ready) this.workers.get(uid)!.enqueue();
  }

  private remove(pod: KubeObject): void {
    const record = this.records.get(pod.metadata.uid ?? '');
    if (!record) return;
    record.removed = true;
    if (!record.finished) record.pod = pod;
    record.noticeTermination();
    this.workers.get(record.uid)!.enqueue();
  }

  private async sync(record: PodRecord): Promise<number | undefined> {
    const next = await this.syncer.sync(record);
    if (record.finished && record.removed) {
      this.records.delete(record.uid);
      void this.workers.get(record.uid)?.stop();
      this.workers.delete(record.uid);
      this.statusManager.forget(record.uid);
    }
    return next;
  }

  private onProbeUpdate(update: ProbeUpdate): void {
    const record = this.records.get(update.podUid);
    if (!record || this.stopped) return;
    if (update.result === 'Failure' && (update.type === 'Liveness' || update.type === 'Startup')) {
      record.killRequests.set(update.containerName, { containerId: update.containerId, probe: update.type });
    }
    this.workers.get(update.podUid)?.enqueue();
  }

  /** Containers (and IPs) of pods this node no longer has: deleted while the kubelet was down, or bound elsewhere. */
  private async cleanUpOrphans(): Promise<void> {
    const { runtime, ipam } = this.options;
    const orphans = new Map<string, string[]>();
    for (const c of runtime.listContainers()) {
      if (this.records.has(c.podUid)) continue;
      orphans.set(c.podUid, [...(orphans.get(c.podUid) ?? []), c.id]);
    }
    const running = new Set(runtime.listContainers().filter((c) => c.state !== 'exited').map((c) => c.id));
    for (const [uid, ids] of orphans) {
      if (this.records.has(uid) || this.stopped) continue;
      this.log.info({ podUid: uid, containers: ids.length }, 'stopping the containers of a pod that is no longer bound to this node');
      await Promise.all(ids.filter((id) => running.has(id)).map((id) => runtime.stopContainer(id, ORPHAN_GRACE_SECONDS).catch(() => undefined)));
      for (const id of ids) await runtime.removeContainer(id).catch(() => undefined);
      ipam.release(uid);
    }
    for (const uid of ipam.podUids()) if (!this.records.has(uid)) ipam.release(uid);
  }

  private async getOptional(resource: typeof Resources.configmaps, namespace: string, name: string): Promise<KubeObject | undefined> {
    try {
      return await this.options.client.get(resource, namespace, name);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}

/**
 * Whether a changed pod asks for a sync (as the kubelet's pod config tells changes from
 * reconciles): its spec or metadata changed, or, with readiness gates, the conditions others own.
 */
function needsSync(before: KubeObject, after: KubeObject): boolean {
  const meta = (pod: KubeObject) => ({ ...pod.metadata, resourceVersion: undefined, managedFields: undefined, generation: undefined });
  if (!sameJSON(before.spec, after.spec) || !sameJSON(meta(before), meta(after))) return true;
  if (!((after.spec as { readinessGates?: unknown[] } | undefined)?.readinessGates?.length)) return false;
  const others = (pod: KubeObject) => ((pod.status?.conditions ?? []) as Array<{ type: string }>).filter((c) => !(KUBELET_CONDITIONS as readonly string[]).includes(c.type));
  return !sameJSON(others(before), others(after));
}
