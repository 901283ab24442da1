import { isConflict, isNotFound, Resources, type Clock, type EventRecorder, type ObjectsClient } from '@kubelab/client';
import type { Logger } from '@kubelab/component-base';
import { HandlerRunner, type HookTarget } from '../lifecycle/handler-runner';
import type { PodIPAllocator } from '../network/ipam';
import type { ProbeManager } from '../prober/types';
import type { ContainerRuntime, ContainerStatus, PodSandboxConfig } from '../runtime/types';
import type { Container, PodStatus } from '../status/api-types';
import type { ContainerView } from '../status/container-statuses';
import { isSidecar, isTerminalPhase } from '../status/phase';
import { generatePodStatus } from '../status/pod-status';
import type { StatusManager } from '../status/status-manager';
import type { ContainerStarter } from './container-starter';
import { goDuration } from './go-duration';
import type { ContainerKind, PodRecord } from './pod-record';
import { containerFieldPath, podDesc, podRef } from './pod-refs';
import type { SyncResult } from './pod-worker';
import { podDNS, podSandboxConfig, type ClusterDNS } from './sandbox';

/** Kubernetes never gives a container less than this to stop (minimumGracePeriodInSeconds). */
const MIN_GRACE_SECONDS = 2;
/** How many instances of a container are kept: the current one and the previous (for lastState and `logs --previous`). */
const KEEP_INSTANCES = 2;

export interface PodSyncerOptions {
  client: ObjectsClient;
  nodeIP: string;
  runtime: ContainerRuntime;
  probes: ProbeManager;
  ipam: PodIPAllocator;
  recorder: EventRecorder;
  clock: Clock;
  log: Logger;
  statusManager: StatusManager;
  starter: ContainerStarter;
  dns?: ClusterDNS;
  /** Something about the pod changed outside a sync (a stop finished): sync it again. */
  resync(uid: string): void;
}

/**
 * One sync of one pod (the kubelet's SyncPod / SyncTerminatingPod): makes the containers the pod
 * should have run and reports what they do. A live pod gets its IP, its init containers one after
 * the other (each must exit 0), then its containers; exited containers are restarted per
 * restartPolicy with the CrashLoopBackOff back-off; containers whose liveness or startup probe
 * failed are killed. A pod being deleted has its containers stopped in parallel within its grace
 * period, its final status posted, its IP released, and its deletion finished.
 */
export class PodSyncer {
  private readonly hooks: HandlerRunner;

  constructor(private readonly options: PodSyncerOptions) {
    this.hooks = new HandlerRunner({
      runtime: options.runtime,
      clock: options.clock,
      onHTTPFallback: (pod, host) => options.recorder.event(podRef(pod), 'Warning', 'LifecycleHTTPFallback', `request to HTTPS lifecycle hook ${host} got HTTP response, retry with HTTP succeeded`),
    });
  }

  async sync(record: PodRecord): Promise<SyncResult> {
    if (record.finished) return undefined;
    if (record.terminationRequested) return this.terminate(record);
    if (record.terminal) return this.syncFinished(record);
    return this.syncLive(record);
  }

  /** The status the pod has now, from the runtime and what the kubelet knows. */
  buildStatus(record: PodRecord, podIsTerminal = record.terminal): PodStatus {
    const { runtime, probes } = this.options;
    const view = (c: Container): ContainerView => {
      const [current, previous] = record.history(runtime, c.name);
      const running = current?.state === 'running' && !record.killing.has(current.id);
      const v: ContainerView = {
        name: c.name,
        image: c.image,
        ready: running && (probes.isReady(record.uid, c.name) ?? false),
        started: running && probes.isStarted(record.uid, c.name),
      };
      if (current) v.current = current;
      if (previous) v.previous = previous;
      const waiting = record.waiting.get(c.name);
      if (waiting) v.waiting = waiting;
      return v;
    };
    const old = (this.options.statusManager.get(record.uid) ?? record.pod).status as PodStatus | undefined;
    return generatePodStatus({
      spec: record.spec,
      oldStatus: old,
      initContainers: (record.spec.initContainers ?? []).map(view),
      containers: record.spec.containers.map(view),
      ephemeralContainers: (record.spec.ephemeralContainers ?? []).map((c) => ({ ...view(c), ready: false })),
      podIP: record.ip,
      hostIP: this.options.nodeIP,
      sandboxReady: Boolean(record.ip) && !record.ipReleased && !podIsTerminal && !record.terminationRequested,
      podIsTerminal,
    });
  }

  private async syncLive(record: PodRecord): Promise<SyncResult> {
    const { ipam, recorder, statusManager } = this.options;
    if (!record.ip) {
      try {
        record.ip = ipam.allocate(record.uid);
      } catch (error) {
        recorder.event(podRef(record.pod), 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(error as Error).message}`);
        await statusManager.setPodStatus(record.pod, this.buildStatus(record));
        throw error;
      }
    }
    const { dns, fellBack } = podDNS(record.pod, this.options.dns);
    if (fellBack && !record.dnsWarned) {
      record.dnsWarned = true;
      recorder.event(podRef(record.pod), 'Warning', 'MissingClusterDNS', 'kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.');
    }
    const sandbox = podSandboxConfig(record.pod, record.ip, dns);

    this.killUnwanted(record);
    this.registerProbes(record);
    // What happened since the last sync (an exit, an OOM kill) is reported before anything restarts.
    // A pod that has run nothing yet has nothing to report: its first status is deferred, so when
    // its containers start within this turn the status manager writes only the newer one.
    const before = this.buildStatus(record);
    if (isTerminalPhase(before.phase)) return this.finish(record);
    if (record.failedStarts.length > 0 || this.options.runtime.listContainers(record.uid).length > 0) {
      await statusManager.setPodStatus(record.pod, before);
    } else {
      // Not awaited: the sync's last status write reports the same failure.
      statusManager.setPodStatus(record.pod, before, { deferred: true }).catch(() => undefined);
    }

    let next: SyncResult;
    const later = (at: SyncResult) => {
      if (at !== undefined) next = next === undefined ? at : Math.min(next, at);
    };
    const init = await this.syncInitContainers(record, sandbox, later);
    if (init === 'done') for (const c of record.spec.containers) later(await this.syncContainer(record, c, 'regular', sandbox));
    // Ephemeral containers (kubectl debug) start even before initialisation is done, once each.
    for (const c of record.spec.ephemeralContainers ?? []) if (record.history(this.options.runtime, c.name).length === 0) later(await this.syncContainer(record, c, 'ephemeral', sandbox));

    this.registerProbes(record);
    await this.pruneInstances(record);
    const status = this.buildStatus(record);
    if (isTerminalPhase(status.phase)) return this.finish(record);
    await statusManager.setPodStatus(record.pod, status);
    return next;
  }

  /** Init containers in order, each to exit 0 before the next; sidecars to run (and be started). */
  private async syncInitContainers(record: PodRecord, sandbox: PodSandboxConfig, later: (at: SyncResult) => void): Promise<'done' | 'pending' | 'failed'> {
    const { runtime, probes } = this.options;
    const inits = record.spec.initContainers ?? [];
    if (inits.length === 0) return 'done';
    if (record.spec.containers.some((c) => record.history(runtime, c.name).length > 0)) {
      // Initialised before: only the sidecars are kept running.
      for (const c of inits) if (isSidecar(c)) later(await this.syncContainer(record, c, 'init', sandbox));
      return 'done';
    }
    for (const c of inits) {
      const current = record.history(runtime, c.name)[0];
      if (isSidecar(c)) {
        if (current?.state !== 'running') later(await this.syncContainer(record, c, 'init', sandbox));
        const now = record.history(runtime, c.name)[0];
        if (now?.state === 'running' && probes.isStarted(record.uid, c.name)) continue;
        return 'pending';
      }
      if (current?.state === 'exited' && current.exitCode === 0) continue;
      if (current && current.state !== 'exited') return 'pending';
      if (current && (record.spec.restartPolicy ?? 'Always') === 'Never') return 'failed';
      later(await this.syncContainer(record, c, 'init', sandbox));
      return 'pending';
    }
    return 'done';
  }

  /** Starts a container that has never run, or restarts an exited one per policy and back-off. Returns when to try again. */
  private async syncContainer(record: PodRecord, container: Container, kind: ContainerKind, sandbox: PodSandboxConfig): Promise<SyncResult> {
    const { runtime, clock, recorder } = this.options;
    const current = record.history(runtime, container.name)[0];
    if (current && current.state !== 'exited') {
      record.waiting.delete(container.name);
      return undefined;
    }
    if (current) {
      if (!this.shouldRestart(record, container, kind, current)) {
        record.waiting.delete(container.name);
        return undefined;
      }
      const finishedAt = (current.finishedAt ?? current.createdAt).getTime();
      const key = crashBackoffKey(container);
      if (record.crashBackoff.isInBackOffSince(key, finishedAt)) {
        const backoff = record.crashBackoff.get(key);
        const pod = podDesc(record.pod);
        recorder.event(podRef(record.pod), 'Warning', 'BackOff', `Back-off restarting failed container ${container.name} in pod ${pod}`, containerFieldPath(kind, container.name));
        record.waiting.set(container.name, { reason: 'CrashLoopBackOff', message: `back-off ${goDuration(backoff)} restarting failed container=${container.name} pod=${pod}` });
        return finishedAt + backoff;
      }
      record.crashBackoff.next(key, finishedAt);
    }
    const outcome = await this.options.starter.start(record, container, kind, current ? current.attempt + 1 : 0, sandbox);
    if (outcome.started && container.lifecycle?.postStart) await this.postStart(record, container, kind, outcome.started.id);
    if (outcome.started) this.registerProbes(record);
    return outcome.retryInMs === undefined ? undefined : clock.now() + outcome.retryInMs;
  }

  /**
   * The postStart hook, right after the start (startContainer's step 4): the pod's sync waits for
   * it, so the container is reported running, and the next one started, only once it is done. A
   * failed hook kills the container (a FailedPostStartHook event, then Killing); it waits with
   * PostStartHookError and the hook's message, and is restarted as after a crash.
   */
  private async postStart(record: PodRecord, container: Container, kind: ContainerKind, id: string): Promise<void> {
    const { recorder, runtime } = this.options;
    const failure = await this.hooks.run(hookTarget(record, container, id), container.lifecycle!.postStart!, { cancelled: record.terminationSignal });
    // Deleted meanwhile: the hook was given up, and termination (next sync) stops the container.
    if (failure === undefined || record.terminationSignal.aborted) return;
    const fieldPath = containerFieldPath(kind, container.name);
    // The message stays out of the event, as Kubernetes keeps it (a hook's output may hold secrets).
    recorder.event(podRef(record.pod), 'Warning', 'FailedPostStartHook', 'PostStartHook failed', fieldPath);
    recorder.event(podRef(record.pod), 'Normal', 'Killing', 'FailedPostStartHook', fieldPath);
    const hook = this.preStop(record, container, kind, id, record.spec.terminationGracePeriodSeconds ?? 30);
    record.killing.set(id, hook);
    try {
      await runtime.stopContainer(id, await hook);
    } finally {
      record.killing.delete(id);
    }
    record.waiting.set(container.name, { reason: 'PostStartHookError', message: failure });
  }

  /**
   * The preStop hook before a container is stopped (killContainer): it runs within the grace
   * period, which counts from before it (none if the period is 0); what it leaves, raised to at
   * least 2 s, is the container's to stop after SIGTERM. A failed hook is a FailedPreStopHook
   * event, and the stop goes on.
   */
  private async preStop(record: PodRecord, container: Container, kind: ContainerKind, id: string, graceSeconds: number): Promise<number> {
    const hook = container.lifecycle?.preStop;
    // No time at all (terminationGracePeriodSeconds: 0): no hook, and still the minimal window.
    if (!hook || graceSeconds <= 0) return Math.max(MIN_GRACE_SECONDS, graceSeconds);
    const { clock, recorder } = this.options;
    const started = clock.now();
    const graceOver = new AbortController();
    const hookDone = this.hooks
      .run(hookTarget(record, container, id), hook, { timeoutMs: graceSeconds * 1000, cancelled: graceOver.signal })
      .then((failure) => {
        if (failure !== undefined) recorder.event(podRef(record.pod), 'Warning', 'FailedPreStopHook', 'PreStopHook failed', containerFieldPath(kind, container.name));
      });
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    await Promise.race([hookDone, new Promise<void>((resolve) => (timer = clock.setTimeout(resolve, graceSeconds * 1000)))]);
    clock.clearTimeout(timer!);
    graceOver.abort();
    const spent = Math.floor((clock.now() - started) / 1000);
    return Math.max(MIN_GRACE_SECONDS, graceSeconds - spent);
  }

  private shouldRestart(record: PodRecord, container: Container, kind: ContainerKind, current: ContainerStatus): boolean {
    const policy = record.spec.restartPolicy ?? 'Always';
    if (kind === 'ephemeral') return false;
    if (kind === 'init') return isSidecar(container) || (current.exitCode !== 0 && policy !== 'Never');
    if (policy === 'Always') return true;
    if (policy === 'OnFailure') return current.exitCode !== 0;
    return false;
  }

  /**
   * Kills the containers that must go while the pod lives (computePodActions): those whose
   * liveness or startup probe failed, and those whose image the spec changed. Each exit brings the
   * next sync, which restarts them per policy.
   */
  private killUnwanted(record: PodRecord): void {
    const kills: Array<{ name: string; id: string; message: string; grace: number | undefined }> = [];
    for (const [name, request] of [...record.killRequests]) {
      record.killRequests.delete(name);
      const found = record.containerSpec(name);
      if (!found) continue;
      const restart = (record.spec.restartPolicy ?? 'Always') !== 'Never' || (found.kind === 'init' && isSidecar(found.container));
      const what = request.probe === 'Liveness' ? 'liveness' : 'startup';
      const probe = request.probe === 'Liveness' ? found.container.livenessProbe : found.container.startupProbe;
      // A sidecar (restartable init container) is worded as computeInitContainerActions words it.
      const message = found.kind === 'init' ? `Init container ${name} failed ${what} probe` : `Container ${name} failed ${what} probe${restart ? ', will be restarted' : ''}`;
      kills.push({ name, id: request.containerId, message, grace: probe?.terminationGracePeriodSeconds });
    }
    for (const c of [...(record.spec.initContainers ?? []), ...record.spec.containers]) {
      const current = record.history(this.options.runtime, c.name)[0];
      if (current?.state === 'running' && current.image !== c.image) kills.push({ name: c.name, id: current.id, message: `Container ${c.name} definition changed, will be restarted`, grace: undefined });
    }
    for (const kill of kills) this.kill(record, kill.name, kill.id, kill.message, kill.grace);
  }

  /** Stops one running container in the background (Killing event); its exit brings the next sync. */
  private kill(record: PodRecord, name: string, id: string, message: string, probeGrace: number | undefined): void {
    const { runtime, probes, recorder, log } = this.options;
    const current = record.history(runtime, name)[0];
    const found = record.containerSpec(name);
    if (!found || !current || current.id !== id || current.state !== 'running' || record.killing.has(id)) return;
    recorder.event(podRef(record.pod), 'Normal', 'Killing', message, containerFieldPath(found.kind, name));
    const hook = this.preStop(record, found.container, found.kind, id, probeGrace ?? record.spec.terminationGracePeriodSeconds ?? 30);
    record.killing.set(id, hook);
    probes.removeContainer(record.uid, name);
    record.probed.delete(name);
    hook
      .then((left) => runtime.stopContainer(id, left))
      .catch((error: Error) => log.warn({ pod: podDesc(record.pod), container: name, err: error.message }, 'could not kill the container'))
      .finally(() => {
        record.killing.delete(id);
        this.options.resync(record.uid);
      });
  }

  /** The prober watches exactly the running containers (a new instance replaces the old). */
  private registerProbes(record: PodRecord): void {
    const { runtime, probes } = this.options;
    for (const c of [...(record.spec.initContainers ?? []), ...record.spec.containers]) {
      const current = record.history(runtime, c.name)[0];
      const watched = record.probed.get(c.name);
      if (current?.state === 'running' && !record.killing.has(current.id)) {
        if (watched === current.id) continue;
        if (watched) probes.removeContainer(record.uid, c.name);
        probes.addContainer(record.pod, c.name, current.id, record.ip ?? '', current.startedAt ?? current.createdAt);
        record.probed.set(c.name, current.id);
      } else if (watched) {
        probes.removeContainer(record.uid, c.name);
        record.probed.delete(c.name);
      }
    }
  }

  /** Older instances than the current and the previous one go (the kubelet's container GC). */
  private async pruneInstances(record: PodRecord): Promise<void> {
    const { runtime, log } = this.options;
    for (const c of [...(record.spec.initContainers ?? []), ...record.spec.containers]) {
      const old = record.history(runtime, c.name).slice(KEEP_INSTANCES);
      for (const instance of old) {
        if (instance.state !== 'exited') continue;
        const synthetic = record.failedStarts.indexOf(instance);
        if (synthetic >= 0) record.failedStarts.splice(synthetic, 1);
        else await runtime.removeContainer(instance.id).catch((error: Error) => log.warn({ container: instance.id, err: error.message }, 'could not remove an old container'));
      }
    }
  }

  /** The pod reached Succeeded or Failed: what still runs is stopped, its IP released, the final status posted. */
  private async finish(record: PodRecord): Promise<SyncResult> {
    record.terminal = true;
    await this.stopAll(record, record.spec.terminationGracePeriodSeconds ?? 30);
    return this.syncFinished(record);
  }

  private async syncFinished(record: PodRecord): Promise<SyncResult> {
    if (!record.ipReleased) {
      this.options.ipam.release(record.uid);
      record.ipReleased = true;
    }
    await this.options.statusManager.setPodStatus(record.pod, this.buildStatus(record, true));
    return undefined;
  }

  /** Deletion: stop everything within the grace period, post the final status, release, finish the delete. */
  private async terminate(record: PodRecord): Promise<SyncResult> {
    const { client, runtime, ipam, statusManager, log } = this.options;
    record.killRequests.clear();
    // As the pod workers' effective grace period: never below 1 s for a deletion.
    await this.stopAll(record, Math.max(1, record.gracePeriodSeconds()));
    record.waiting.clear();
    if (!record.removed) await statusManager.setPodStatus(record.pod, this.buildStatus(record, true));
    if (!record.ipReleased) {
      ipam.release(record.uid);
      record.ipReleased = true;
    }
    for (const c of runtime.listContainers(record.uid)) await runtime.removeContainer(c.id).catch((error: Error) => log.warn({ container: c.id, err: error.message }, 'could not remove a container'));
    record.failedStarts = [];
    if (!record.removed) {
      try {
        await client.delete(Resources.pods, record.namespace, record.name, { gracePeriodSeconds: 0, preconditions: { uid: record.uid } });
      } catch (error) {
        if (!isNotFound(error) && !isConflict(error)) throw error;
      }
    }
    record.finished = true;
    log.info({ pod: podDesc(record.pod) }, 'pod terminated');
    return undefined;
  }

  /** Stops every running container of the pod in parallel ('Stopping container web'). */
  private async stopAll(record: PodRecord, graceSeconds: number): Promise<void> {
    const { runtime, probes, recorder, log } = this.options;
    probes.removePod(record.uid);
    record.probed.clear();
    const running: Array<{ id: string; name: string; kind: ContainerKind }> = [];
    for (const [list, kind] of [[record.spec.initContainers ?? [], 'init'], [record.spec.containers, 'regular'], [record.spec.ephemeralContainers ?? [], 'ephemeral']] as const) {
      for (const c of list) {
        const current = record.history(runtime, c.name)[0];
        if (current && current.state !== 'exited') running.push({ id: current.id, name: c.name, kind });
      }
    }
    // Containers the spec no longer names (or the runtime knows beyond it) stop too.
    for (const c of runtime.listContainers(record.uid)) {
      if (c.state !== 'exited' && !running.some((r) => r.id === c.id)) running.push({ id: c.id, name: c.name, kind: 'regular' });
    }
    for (const c of running) recorder.event(podRef(record.pod), 'Normal', 'Killing', `Stopping container ${c.name}`, containerFieldPath(c.kind, c.name));
    await Promise.all(
      running.map(async (c) => {
        const spec = record.containerSpec(c.name);
        // One being killed on its own (a failed probe) is in its preStop hook already, or past
        // it: SIGTERM waits for the hook all the same.
        const killing = record.killing.get(c.id);
        if (killing) await killing.catch(() => undefined);
        const grace = spec && !killing ? await this.preStop(record, spec.container, spec.kind, c.id, graceSeconds) : Math.max(MIN_GRACE_SECONDS, graceSeconds);
        await runtime.stopContainer(c.id, grace).catch((error: Error) => log.warn({ pod: podDesc(record.pod), container: c.name, err: error.message }, 'could not stop the container'));
      }),
    );
  }
}

/** The container a lifecycle hook of the pod runs for. */
function hookTarget(record: PodRecord, container: Container, containerId: string): HookTarget {
  return { pod: record.pod, container, containerId, podIP: record.ip ?? '' };
}

/**
 * A container's crash back-off is its own and its spec's (GetStableKey hashes the container): a
 * container changed by `kubectl set image` starts without the old one's back-off.
 */
function crashBackoffKey(container: Container): string {
  return `${container.name}/${JSON.stringify(container)}`;
}
