import { metaNamespaceKey, silentLogger, type ClientLogger, type Clock, type ClockTimer, type KubeObject } from '@kubelab/client';
import { eventMatches, type ClusterEvent, type ClusterEventWithHint } from '../framework/cluster-event';
import { newPodInfo } from '../framework/pod-info';
import type { Pod, QueuedPodInfo } from '../framework/types';
import { Heap } from './heap';
import { Nominator } from './nominator';

export interface SchedulingQueueOptions {
  /** The profile's QueueSort (PrioritySort). */
  less: (a: QueuedPodInfo, b: QueuedPodInfo) => boolean;
  clock: Clock;
  /** --pod-initial-backoff-seconds: the back-off after the first failed attempt (1 s); it doubles with each. */
  podInitialBackoffMs?: number;
  /** --pod-max-backoff-seconds: where the doubling stops (10 s). */
  podMaxBackoffMs?: number;
  /** A pod unschedulable this long is retried whatever happened (5 min). */
  podMaxInUnschedulablePodsDurationMs?: number;
  /** Plugin name → the events it registered (Framework.eventsToRegister). */
  eventsToRegister: Map<string, ClusterEventWithHint[]>;
  /** The informer's pod, for the nominator. */
  podLister?: (namespace: string, name: string) => Pod | undefined;
  log?: ClientLogger;
}

/** How often unschedulable pods are checked for podMaxInUnschedulablePodsDuration (flushUnschedulablePodsLeftover). */
const UNSCHEDULABLE_FLUSH_PERIOD_MS = 30_000;

/** 'backoff': back to the queue, through the backoffQ while the pod's back-off lasts; 'skip': stay unschedulable. */
type QueueingStrategy = 'backoff' | 'skip';

interface RecordedEvent {
  seq: number;
  event: ClusterEvent;
  oldObj: KubeObject | undefined;
  newObj: KubeObject | undefined;
}

/**
 * The scheduling queue (Kubernetes' PriorityQueue), three places a pending pod can be:
 * - activeQ: ready to be tried, in QueueSort order (higher priority, then older);
 * - backoffQ: failed recently; waits out its back-off (1 s, doubling per attempt up to 10 s);
 * - unschedulablePods: failed, and nothing has happened since that could help it.
 * A cluster event (node added, labels or taints changed, an assigned pod deleted) moves the
 * unschedulable pods whose rejecting plugins registered for it — and whose queueing hint says it
 * may help — back to activeQ or backoffQ. Events that arrive while a pod is being scheduled are
 * remembered, so a pod that fails right after the change that would have helped it is not parked.
 * Every 30 s, pods unschedulable for 5 minutes are retried anyway.
 */
export class SchedulingQueue {
  readonly nominator: Nominator;
  private readonly activeQ: Heap<QueuedPodInfo>;
  private readonly backoffQ: Heap<QueuedPodInfo>;
  private readonly unschedulablePods = new Map<string, QueuedPodInfo>();
  /** Pods popped and not yet done → the sequence number of the last event before their pop; in that order. */
  private readonly inFlightPods = new Map<string, number>();
  /** In-flight pods whose own spec or labels changed while they were scheduled. */
  private readonly updatedInFlight = new Set<string>();
  /** Events seen while any pod was in flight, oldest first. */
  private inFlightEvents: RecordedEvent[] = [];
  private eventSeq = 0;
  private waiters: Array<() => void> = [];
  private backoffTimer: { timer: ClockTimer; due: number } | undefined;
  private unschedulableTimer: ClockTimer | undefined;
  private closed = false;
  private readonly clock: Clock;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxUnschedulableMs: number;
  private readonly log: ClientLogger;

  constructor(private readonly options: SchedulingQueueOptions) {
    this.clock = options.clock;
    this.initialBackoffMs = options.podInitialBackoffMs ?? 1_000;
    this.maxBackoffMs = options.podMaxBackoffMs ?? 10_000;
    this.maxUnschedulableMs = options.podMaxInUnschedulablePodsDurationMs ?? 5 * 60_000;
    this.log = options.log ?? silentLogger;
    this.nominator = new Nominator(options.podLister);
    this.activeQ = new Heap(keyOf, options.less);
    this.backoffQ = new Heap(keyOf, (a, b) => this.backoffTime(a) < this.backoffTime(b));
  }

  /** Starts the periodic flush of long-unschedulable pods. */
  run(): void {
    const tick = () => {
      this.flushUnschedulablePodsLeftover();
      if (!this.closed) this.unschedulableTimer = this.clock.setTimeout(tick, UNSCHEDULABLE_FLUSH_PERIOD_MS);
    };
    this.unschedulableTimer = this.clock.setTimeout(tick, UNSCHEDULABLE_FLUSH_PERIOD_MS);
  }

  /** Stops the timers; a waiting pop resolves with undefined. */
  close(): void {
    this.closed = true;
    if (this.unschedulableTimer) this.clock.clearTimeout(this.unschedulableTimer);
    if (this.backoffTimer) this.clock.clearTimeout(this.backoffTimer.timer);
    this.backoffTimer = undefined;
    this.wake();
  }

  /** A new pending pod: straight to activeQ. */
  add(pod: Pod): void {
    const key = metaNamespaceKey(pod);
    const existing = this.find(key);
    if (existing) return this.update(existing.podInfo.pod, pod);
    const now = this.clock.now();
    const pInfo: QueuedPodInfo = { podInfo: newPodInfo(pod), timestamp: now, attempts: 0, initialAttemptTimestamp: now, unschedulablePlugins: new Set() };
    this.moveToActiveQ(pInfo);
    this.nominator.addNominatedPod(pInfo.podInfo);
  }

  /**
   * A pending pod changed. Wherever it waits it takes the new version; an unschedulable pod whose
   * spec or labels changed (not only its status) is tried again.
   */
  update(oldPod: Pod, newPod: Pod): void {
    const key = metaNamespaceKey(newPod);
    const podInfo = newPodInfo(newPod);
    this.nominator.updateNominatedPod(oldPod, podInfo);
    if (this.inFlightPods.has(key) && !this.find(key)) {
      if (isPodUpdated(oldPod, newPod)) this.updatedInFlight.add(key);
      return;
    }
    const active = this.activeQ.get(key);
    if (active) return this.activeQ.addOrUpdate({ ...active, podInfo });
    const backingOff = this.backoffQ.get(key);
    if (backingOff) return this.backoffQ.addOrUpdate({ ...backingOff, podInfo });
    const unschedulable = this.unschedulablePods.get(key);
    if (unschedulable) {
      unschedulable.podInfo = podInfo;
      if (isPodUpdated(oldPod, newPod)) {
        this.unschedulablePods.delete(key);
        this.requeue(unschedulable, 'backoff');
      }
      return;
    }
    this.add(newPod);
  }

  delete(pod: Pod): void {
    const key = metaNamespaceKey(pod);
    this.nominator.deleteNominatedPodIfExists(pod);
    this.activeQ.delete(key);
    this.backoffQ.delete(key);
    this.unschedulablePods.delete(key);
  }

  /** The next pod to schedule (waits for one); undefined once closed or aborted. */
  async pop(signal?: AbortSignal): Promise<QueuedPodInfo | undefined> {
    while (!this.activeQ.length) {
      if (this.closed || signal?.aborted) return undefined;
      await new Promise<void>((resolve) => {
        const done = () => {
          signal?.removeEventListener('abort', done);
          resolve();
        };
        this.waiters.push(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
    const pInfo = this.activeQ.pop()!;
    pInfo.attempts++;
    pInfo.unschedulablePlugins.clear();
    // Re-inserted, so that inFlightPods stays in the order of its sequence numbers.
    this.inFlightPods.delete(keyOf(pInfo));
    this.inFlightPods.set(keyOf(pInfo), this.eventSeq);
    return pInfo;
  }

  /** The pod's scheduling attempt (and binding) is over: forget the events kept for it. */
  done(pod: Pod): void {
    const key = metaNamespaceKey(pod);
    this.inFlightPods.delete(key);
    this.updatedInFlight.delete(key);
    // The first pod in flight is the oldest; the events before it matter to none (they are in seq order too).
    const oldest = this.inFlightPods.values().next();
    if (oldest.done) {
      this.inFlightEvents = [];
      return;
    }
    let seen = 0;
    while (seen < this.inFlightEvents.length && this.inFlightEvents[seen]!.seq <= oldest.value) seen++;
    if (seen > 0) this.inFlightEvents.splice(0, seen);
  }

  /**
   * A pod that failed goes back: to backoffQ (or activeQ) if something that may help it happened
   * while it was being scheduled, or if it failed for an error rather than a plugin's rejection;
   * otherwise to unschedulablePods, until an event moves it.
   */
  addUnschedulableIfNotPresent(pInfo: QueuedPodInfo): void {
    const key = keyOf(pInfo);
    if (this.find(key)) throw new Error(`pod ${key} is already present in the scheduling queue`);
    pInfo.timestamp = this.clock.now();
    this.requeue(pInfo, this.strategyForInFlightPod(pInfo));
  }

  /**
   * A cluster event: every unschedulable pod it may help (by its rejecting plugins' registered
   * events and hints) moves to backoffQ or activeQ. `preCheck` narrows the pods considered.
   */
  moveAllToActiveOrBackoffQueue(event: ClusterEvent, oldObj?: KubeObject, newObj?: KubeObject, preCheck?: (pod: Pod) => boolean): void {
    for (const [key, pInfo] of this.unschedulablePods) {
      if (preCheck && !preCheck(pInfo.podInfo.pod)) continue;
      if (this.isPodWorthRequeuing(pInfo, event, oldObj, newObj) === 'skip') continue;
      this.unschedulablePods.delete(key);
      this.requeue(pInfo, 'backoff');
    }
    if (this.inFlightPods.size) this.inFlightEvents.push({ seq: ++this.eventSeq, event, oldObj, newObj });
  }

  /** Gauges for scheduler_pending_pods. */
  pendingPods(): { active: number; backoff: number; unschedulable: number } {
    return { active: this.activeQ.length, backoff: this.backoffQ.length, unschedulable: this.unschedulablePods.size };
  }

  /** Where a pod waits now (for tests and logs). */
  whereIs(pod: Pod): 'activeQ' | 'backoffQ' | 'unschedulablePods' | undefined {
    const key = metaNamespaceKey(pod);
    if (this.activeQ.has(key)) return 'activeQ';
    if (this.backoffQ.has(key)) return 'backoffQ';
    if (this.unschedulablePods.has(key)) return 'unschedulablePods';
    return undefined;
  }

  /** Back-off grows with attempts: initial × 2^(attempts-1), at most max; none before the first attempt. */
  backoffDuration(pInfo: QueuedPodInfo): number {
    if (pInfo.attempts === 0) return 0;
    let duration = this.initialBackoffMs;
    for (let i = 1; i < pInfo.attempts; i++) {
      if (duration > this.maxBackoffMs - duration) return this.maxBackoffMs;
      duration += duration;
    }
    return duration;
  }

  private backoffTime(pInfo: QueuedPodInfo): number {
    return pInfo.timestamp + this.backoffDuration(pInfo);
  }

  private isPodBackingOff(pInfo: QueuedPodInfo): boolean {
    return this.backoffTime(pInfo) > this.clock.now();
  }

  private find(key: string): QueuedPodInfo | undefined {
    return this.activeQ.get(key) ?? this.backoffQ.get(key) ?? this.unschedulablePods.get(key);
  }

  private requeue(pInfo: QueuedPodInfo, strategy: QueueingStrategy): void {
    if (strategy === 'skip') {
      this.unschedulablePods.set(keyOf(pInfo), pInfo);
      return;
    }
    if (this.isPodBackingOff(pInfo)) {
      this.backoffQ.addOrUpdate(pInfo);
      this.armBackoffTimer();
      return;
    }
    this.moveToActiveQ(pInfo);
  }

  private moveToActiveQ(pInfo: QueuedPodInfo): void {
    const key = keyOf(pInfo);
    this.backoffQ.delete(key);
    this.unschedulablePods.delete(key);
    this.activeQ.addOrUpdate(pInfo);
    this.wake();
  }

  private wake(): void {
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  /** Moves the pods whose back-off is over to activeQ, then waits for the next one's. */
  private flushBackoffQCompleted(): void {
    const now = this.clock.now();
    for (let head = this.backoffQ.peek(); head && this.backoffTime(head) <= now; head = this.backoffQ.peek()) {
      this.backoffQ.pop();
      this.moveToActiveQ(head);
    }
    this.armBackoffTimer();
  }

  private armBackoffTimer(): void {
    const head = this.backoffQ.peek();
    if (!head || this.closed) return;
    const due = this.backoffTime(head);
    if (this.backoffTimer && this.backoffTimer.due <= due) return;
    if (this.backoffTimer) this.clock.clearTimeout(this.backoffTimer.timer);
    const timer = this.clock.setTimeout(() => {
      this.backoffTimer = undefined;
      this.flushBackoffQCompleted();
    }, Math.max(0, due - this.clock.now()));
    this.backoffTimer = { timer, due };
  }

  private flushUnschedulablePodsLeftover(): void {
    const now = this.clock.now();
    const stale = [...this.unschedulablePods.values()].filter((p) => now - p.timestamp > this.maxUnschedulableMs);
    if (!stale.length) return;
    this.log.debug({ pods: stale.length }, 'retrying pods unschedulable for podMaxInUnschedulablePodsDuration');
    for (const pInfo of stale) {
      this.unschedulablePods.delete(keyOf(pInfo));
      this.requeue(pInfo, 'backoff');
    }
  }

  private strategyForInFlightPod(pInfo: QueuedPodInfo): QueueingStrategy {
    const key = keyOf(pInfo);
    // No plugin rejected it: an error (the apiserver unreachable...); retry after the back-off.
    if (!pInfo.unschedulablePlugins.size || this.updatedInFlight.has(key)) return 'backoff';
    const since = this.inFlightPods.get(key);
    if (since === undefined) return 'skip';
    for (const e of this.inFlightEvents) {
      if (e.seq > since && this.isPodWorthRequeuing(pInfo, e.event, e.oldObj, e.newObj) === 'backoff') return 'backoff';
    }
    return 'skip';
  }

  /** Does any plugin that rejected the pod register for the event, with a hint that says Queue? */
  private isPodWorthRequeuing(pInfo: QueuedPodInfo, event: ClusterEvent, oldObj: KubeObject | undefined, newObj: KubeObject | undefined): QueueingStrategy {
    if (!pInfo.unschedulablePlugins.size) return 'backoff';
    const pod = pInfo.podInfo.pod;
    for (const plugin of pInfo.unschedulablePlugins) {
      const registered = this.options.eventsToRegister.get(plugin);
      // A rejection no plugin owns (a PreFilter narrowing to nodes that do not exist): any event may help.
      if (!registered) return 'backoff';
      for (const { event: wanted, queueingHint } of registered) {
        if (!eventMatches(wanted, event)) continue;
        if (!queueingHint || this.hint(queueingHint, pod, oldObj, newObj, plugin) === 'Queue') return 'backoff';
      }
    }
    return 'skip';
  }

  private hint(fn: NonNullable<ClusterEventWithHint['queueingHint']>, pod: Pod, oldObj: KubeObject | undefined, newObj: KubeObject | undefined, plugin: string): 'Queue' | 'QueueSkip' {
    try {
      return fn(pod, oldObj, newObj);
    } catch (error) {
      // As Kubernetes: a hint that fails counts as Queue.
      this.log.warn({ plugin, pod: metaNamespaceKey(pod), err: (error as Error).message }, 'queueing hint failed');
      return 'Queue';
    }
  }
}

function keyOf(pInfo: QueuedPodInfo): string {
  return metaNamespaceKey(pInfo.podInfo.pod);
}

/** Did anything but the status (and bookkeeping: resourceVersion, managedFields...) change? (isPodUpdated) */
export function isPodUpdated(oldPod: Pod, newPod: Pod): boolean {
  const strip = (pod: Pod) => {
    const { resourceVersion: _rv, generation: _g, managedFields: _m, finalizers: _f, ...metadata } = pod.metadata;
    return JSON.stringify({ ...pod, metadata, status: undefined });
  };
  return strip(oldPod) !== strip(newPod);
}
