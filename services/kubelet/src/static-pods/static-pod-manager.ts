import { Informer, isAlreadyExists, isConflict, isNotFound, realClock, Resources, type Clock, type ClockTimer, type EventRecorder, type KubeObject, type ObjectsClient } from '@kubelab/client';
import type { Logger } from '@kubelab/component-base';
import { podRef } from '../pod-workers/pod-refs';
import type { Container as ProbedContainer } from '../prober/probe-spec';
import type { Container, PodSpec, PodStatus } from '../status/api-types';
import { statusImageName } from '../status/image-name';
import { StatusManager } from '../status/status-manager';
import { observeProcess } from './host-process';
import { ManifestDir } from './manifest-dir';
import { isMirrorPod, isMirrorPodOf, mirrorPodFor } from './mirror-pod';
import { ProcessContainer } from './process-container';
import { processRefOf, ProcessResolver, type ProcessRef } from './process-ref';
import { Readiness } from './readiness';
import type { StaticPod } from './static-pod';
import { podScheduledCondition, staticPodStatus } from './static-pod-status';

/** How long a mirror pod someone deleted stays gone before the kubelet makes it again (a sync pass or two). */
const MIRROR_RECREATE_DELAY_MS = 500;

export interface StaticPodManagerOptions {
  client: ObjectsClient;
  nodeName: string;
  nodeIP: string;
  /** --pod-manifest-path. */
  manifestDir: string;
  recorder?: EventRecorder;
  /**
   * The kubelet's informer on this node's pods (the pod workers'): one watch for both. Without
   * it, the manager runs an informer of its own.
   */
  pods?: Informer;
  clock?: Clock;
  log: Logger;
  /** How often the manifests are read and the processes looked at: the kubelet's PLEG relists every second. */
  syncPeriodMs?: number;
}

/** What the kubelet keeps of one static pod between syncs. */
interface StaticPodState {
  hash: string;
  container: ProcessContainer;
  readiness: Readiness;
}

/**
 * The kubelet's static pods (the "file" pod source and the mirror client), for kubelab: each
 * manifest in --pod-manifest-path describes a process the lab runs itself (annotation
 * `kubelab.io/process`), so the kubelet runs no container for it; it creates the pod's mirror in
 * the apiserver (`<name>-<node>`, see mirror-pod.ts) and reports the process's state as the
 * mirror's status. Every sync period it reads the manifests and /proc: a mirror that is missing
 * is created, one being deleted (kubectl delete) or of an older manifest is deleted at once
 * (grace period 0, on its UID) and created again, one whose manifest is gone is deleted.
 * The pod workers leave mirror pods alone (they carry `kubernetes.io/config.mirror`).
 */
export class StaticPodManager {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly manifests: ManifestDir;
  private readonly pods: Informer;
  /** The informer is this manager's own (not shared): it starts and stops it. */
  private readonly ownsInformer: boolean;
  private readonly statusManager: StatusManager;
  /** The newest version seen of each mirror pod on this node, by `<namespace>/<name>`. */
  private readonly mirrors = new Map<string, KubeObject>();
  private readonly states = new Map<string, StaticPodState>();
  /** The last problem logged per file or pod, so that a problem is logged once, not every second. */
  private readonly problems = new Map<string, string>();
  private readonly periodMs: number;
  /** Static pods whose mirror pod someone deleted: when it may be made again. */
  private readonly recreateAfter = new Map<string, number>();
  private timer: ClockTimer | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly options: StaticPodManagerOptions) {
    this.clock = options.clock ?? realClock;
    this.log = options.log;
    this.periodMs = options.syncPeriodMs ?? 1_000;
    this.manifests = new ManifestDir(options.manifestDir, options.nodeName, this.clock);
    this.ownsInformer = options.pods === undefined;
    this.pods = options.pods ?? new Informer({ client: options.client, resource: Resources.pods, fieldSelector: `spec.nodeName=${options.nodeName}`, clock: this.clock, log: this.log });
    this.statusManager = new StatusManager({ client: options.client, clock: this.clock, log: this.log });
  }

  start(): void {
    this.pods.addEventHandler({
      onAdd: (pod) => this.seen(pod),
      onUpdate: (_old, pod) => this.seen(pod),
      onDelete: (pod) => {
        const key = fullName(pod);
        if (this.mirrors.get(key)?.metadata.uid === pod.metadata.uid) this.mirrors.delete(key);
        if (isMirrorPod(pod)) this.kick();
      },
    });
    if (this.ownsInformer) this.pods.start();
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    if (this.ownsInformer) await this.pods.stop();
    await this.running;
  }

  private seen(pod: KubeObject): void {
    if (!isMirrorPod(pod) || (pod.spec as PodSpec | undefined)?.nodeName !== this.options.nodeName) return;
    const key = fullName(pod);
    const known = this.mirrors.get(key);
    if (!known || Number(pod.metadata.resourceVersion ?? 0) >= Number(known.metadata.resourceVersion ?? 0)) this.mirrors.set(key, pod);
    this.statusManager.observe(pod);
    // Someone deletes a mirror pod: the kubelet makes it again right away.
    if (pod.metadata.deletionTimestamp) this.kick();
  }

  private kick(): void {
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => this.runSync(), ms);
  }

  private runSync(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.running = this.syncAll()
      .catch((error: Error) => this.problem('sync', error.message))
      .finally(() => {
        this.running = undefined;
        const again = this.again;
        this.again = false;
        this.schedule(again ? 0 : this.periodMs);
      });
  }

  private async syncAll(): Promise<void> {
    if (this.stopped || !this.pods.hasSynced()) return;
    const { pods, errors } = this.manifests.read();
    for (const { file, message } of errors) this.problem(file, `could not process manifest file: ${message}`);
    const resolver = new ProcessResolver();
    const wanted = new Map<string, { staticPod: StaticPod; ref: ProcessRef }>();
    for (const staticPod of pods) {
      try {
        const ref = processRefOf(staticPod.pod);
        if (ref) wanted.set(staticPod.fullName, { staticPod, ref });
        else this.problem(staticPod.file, `static pod ${staticPod.fullName} has no kubelab.io/process annotation: kubelab runs static pods only for the lab's own processes`);
      } catch (error) {
        this.problem(staticPod.file, (error as Error).message);
      }
    }
    await Promise.all([...wanted.values()].map(({ staticPod, ref }) => this.syncStaticPod(staticPod, ref, resolver).catch((error: Error) => this.problem(staticPod.fullName, error.message))));
    // Mirror pods whose static pod is gone (pkg/kubelet: deleteOrphanedMirrorPods).
    for (const [key, mirror] of [...this.mirrors]) {
      if (wanted.has(key) || this.stopped) continue;
      await this.deleteMirror(mirror, 'its static pod is gone').catch((error: Error) => this.problem(key, error.message));
    }
    for (const key of [...this.states.keys()]) if (!wanted.has(key)) this.states.delete(key);
  }

  private async syncStaticPod(staticPod: StaticPod, ref: ProcessRef, resolver: ProcessResolver): Promise<void> {
    const spec = staticPod.pod.spec as unknown as PodSpec;
    const container = spec.containers[0]!;
    let mirror = this.mirrors.get(staticPod.fullName);
    if (mirror && (mirror.metadata.deletionTimestamp || !isMirrorPodOf(mirror, staticPod))) {
      const deleting = Boolean(mirror.metadata.deletionTimestamp);
      await this.deleteMirror(mirror, deleting ? 'it is being deleted' : 'its static pod changed');
      mirror = undefined;
      // Someone deleted it (`kubectl delete pod`): made again at a later pass, not within the same
      // milliseconds. kubectl waits for the deletion by a GET, then a LIST and watch of the name;
      // a new mirror pod already there at the LIST (the old one's DELETED before it) would keep
      // it waiting for a deletion it can no longer see.
      if (deleting) this.recreateAfter.set(staticPod.fullName, this.clock.now() + MIRROR_RECREATE_DELAY_MS);
    }
    const recreateAfter = this.recreateAfter.get(staticPod.fullName);
    if (!mirror && recreateAfter !== undefined) {
      if (this.clock.now() < recreateAfter) return;
      this.recreateAfter.delete(staticPod.fullName);
    }
    let state = this.states.get(staticPod.fullName);
    if (!state || state.hash !== staticPod.hash) {
      // A kubelet that restarts goes on from what the mirror pod shows (restart count, last state).
      const seed = state ? undefined : ((mirror?.status as PodStatus | undefined)?.containerStatuses ?? []).find((s) => s.name === container.name);
      state = { hash: staticPod.hash, container: state?.container ?? new ProcessContainer(seed), readiness: new Readiness(container as ProbedContainer, this.options.nodeIP) };
      state.readiness.reset();
      this.states.set(staticPod.fullName, state);
    }
    mirror ??= await this.createMirror(staticPod);
    if (!mirror || this.stopped) return;

    const now = this.clock.now();
    const pid = resolver.pidOf(ref);
    if (state.container.observe(pid === undefined ? undefined : observeProcess(pid), now) === 'started') state.readiness.reset();
    const failed = await state.readiness.check(state.container.running, this.clock.now());
    if (failed && this.options.recorder) this.options.recorder.event(podRef(mirror), 'Warning', 'Unhealthy', `Readiness probe failed: ${failed.output}`, `spec.containers{${container.name}}`);
    if (this.stopped) return;
    const statuses = [state.container.apiStatus(container.name, statusImageName((container as Container).image), state.readiness.ready)];
    const latest = this.statusManager.get(mirror.metadata.uid!) ?? mirror;
    const stored = await this.statusManager.setPodStatus(mirror, staticPodStatus(spec, statuses, this.options.nodeIP, latest.status as PodStatus | undefined));
    if (stored) this.seen(stored);
    this.problems.delete(staticPod.fullName);
  }

  /** Creates the mirror pod (with PodScheduled True); one that exists already is taken as it is (the next sync checks it). */
  private async createMirror(staticPod: StaticPod): Promise<KubeObject | undefined> {
    const { client, nodeName } = this.options;
    const node = await client.get(Resources.nodes, undefined, nodeName);
    let created: KubeObject;
    try {
      created = await client.create(Resources.pods, mirrorPodFor(staticPod, { name: nodeName, uid: node.metadata.uid! }));
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      const existing = await client.get(Resources.pods, staticPod.pod.metadata.namespace, staticPod.pod.metadata.name!);
      this.seen(existing);
      return isMirrorPodOf(existing, staticPod) && !existing.metadata.deletionTimestamp ? existing : undefined;
    }
    this.log.info({ pod: staticPod.fullName, hash: staticPod.hash }, 'created a mirror pod for a static pod');
    this.seen(created);
    const withScheduled = { ...created, status: { ...(created.status ?? {}), conditions: [podScheduledCondition(this.clock.now())] } };
    const stored = await client.updateStatus(Resources.pods, withScheduled);
    this.seen(stored);
    return stored;
  }

  /** Deletes a mirror pod for good (grace period 0, only that UID), as the kubelet's mirror client does. */
  private async deleteMirror(mirror: KubeObject, why: string): Promise<void> {
    const key = fullName(mirror);
    const uid = mirror.metadata.uid!;
    try {
      await this.options.client.delete(Resources.pods, mirror.metadata.namespace, mirror.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid } });
      this.log.info({ pod: key, uid, why }, 'deleted a mirror pod');
    } catch (error) {
      if (!isNotFound(error) && !isConflict(error)) throw error;
    }
    if (this.mirrors.get(key)?.metadata.uid === uid) this.mirrors.delete(key);
    this.statusManager.forget(uid);
  }

  private problem(key: string, message: string): void {
    if (this.problems.get(key) === message) return;
    this.problems.set(key, message);
    this.log.warn({ what: key, err: message }, 'static pods');
  }
}

function fullName(pod: KubeObject): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}
