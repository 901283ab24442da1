import { isConflict, isNotFound, metaTime, Resources, type Clock, type KubeObject, type ObjectsClient } from '@kubelab/client';
import type { Logger } from '@kubelab/component-base';
import type { PodCondition, PodStatus } from './api-types';
import { KUBELET_CONDITIONS } from './conditions';
import { sameJSON } from './json-equal';
import { isTerminalPhase } from './phase';

const MAX_CONFLICT_RETRIES = 5;

/** Someone waiting for a status to be written (or found unchanged, or superseded by a newer one that was). */
interface Waiter {
  resolve(stored: KubeObject | undefined): void;
  reject(error: unknown): void;
}

/** The newest status set for a pod and not yet written. */
interface PendingStatus {
  pod: KubeObject;
  status: PodStatus;
  waiters: Waiter[];
}

/**
 * Writes pods' statuses to the apiserver (the kubelet's status manager): only when the status
 * really changed, against the newest pod the kubelet has seen (its own writes or the informer's),
 * keeping the conditions others own and the old transition times of conditions that did not
 * change; a conflict is retried on a freshly read pod. A terminal phase is never undone.
 *
 * Writes are coalesced per pod, as Kubernetes' status manager does: one write per pod at a time,
 * and a status set while an older one still waits for its write replaces it, so only the newest
 * is written. A status set `deferred` waits until the end of the event loop's turn, unless a
 * status that is not deferred comes first (the caller is about to set a newer one): a pod whose
 * containers start within one turn has one status write, not one per step of its sync.
 */
export class StatusManager {
  private readonly latest = new Map<string, KubeObject>();
  private readonly pending = new Map<string, PendingStatus>();
  /** Pods whose deferred status waits for the end of the turn. */
  private readonly deferred = new Map<string, NodeJS.Immediate>();
  /** Pods with a write in flight: a status set meanwhile waits in `pending` for it to finish. */
  private readonly writing = new Set<string>();

  constructor(private readonly options: { client: ObjectsClient; clock: Clock; log: Logger }) {}

  /** Tells the manager of a newer version of a pod (from the informer). */
  observe(pod: KubeObject): void {
    const uid = pod.metadata.uid!;
    const known = this.latest.get(uid);
    if (!known || newer(pod, known)) this.latest.set(uid, pod);
  }

  /** The newest version of the pod the kubelet knows (its status as last written). */
  get(uid: string): KubeObject | undefined {
    return this.latest.get(uid);
  }

  forget(uid: string): void {
    this.latest.delete(uid);
  }

  /**
   * Sets the status the pod should have; it is posted if it differs from what the apiserver has:
   * at once if no write for the pod is in flight, else after it. Resolves with the pod as stored
   * once it (or a newer status set meanwhile) is written, or with undefined if the pod is gone;
   * rejects if that write failed.
   */
  setPodStatus(pod: KubeObject, status: PodStatus, options: { deferred?: boolean } = {}): Promise<KubeObject | undefined> {
    this.observe(pod);
    const uid = pod.metadata.uid!;
    return new Promise((resolve, reject) => {
      const queued = this.pending.get(uid);
      if (queued) {
        queued.pod = pod;
        queued.status = status;
        queued.waiters.push({ resolve, reject });
      } else {
        this.pending.set(uid, { pod, status, waiters: [{ resolve, reject }] });
      }
      if (this.writing.has(uid)) return;
      const waiting = this.deferred.get(uid);
      if (options.deferred) {
        if (!waiting) this.deferred.set(uid, setImmediate(() => void this.writeLoop(uid)));
        return;
      }
      if (waiting) clearImmediate(waiting);
      void this.writeLoop(uid);
    });
  }

  /** Writes the pod's newest pending status until none is left. */
  private async writeLoop(uid: string): Promise<void> {
    this.deferred.delete(uid);
    this.writing.add(uid);
    try {
      for (let next = this.pending.get(uid); next; next = this.pending.get(uid)) {
        this.pending.delete(uid);
        try {
          const stored = await this.write(next.pod, next.status);
          for (const waiter of next.waiters) waiter.resolve(stored);
        } catch (error) {
          for (const waiter of next.waiters) waiter.reject(error);
        }
      }
    } finally {
      this.writing.delete(uid);
    }
  }

  private async write(pod: KubeObject, status: PodStatus): Promise<KubeObject | undefined> {
    const uid = pod.metadata.uid!;
    let base = this.latest.get(uid) ?? pod;
    for (let attempt = 0; ; attempt++) {
      const old = base.status as PodStatus | undefined;
      const merged = this.merge(old, status);
      if (sameStatus(merged, old)) return base;
      try {
        const stored = await this.options.client.updateStatus(Resources.pods, { ...base, status: merged });
        // A pod forgotten meanwhile (it finished) is not remembered again.
        if (this.latest.has(uid)) this.observe(stored);
        return stored;
      } catch (error) {
        if (isNotFound(error)) return undefined;
        if (!isConflict(error) || attempt >= MAX_CONFLICT_RETRIES) throw error;
        this.options.log.debug({ pod: `${pod.metadata.namespace}/${pod.metadata.name}` }, 'status update conflict, retrying on a fresh pod');
        try {
          base = await this.options.client.get(Resources.pods, pod.metadata.namespace, pod.metadata.name!);
        } catch (getError) {
          if (isNotFound(getError)) return undefined;
          throw getError;
        }
        if (base.metadata.uid !== uid) return undefined;
        if (this.latest.has(uid)) this.observe(base);
      }
    }
  }

  /** The new status over the old one: old transition times, others' conditions, startTime, terminal phase kept. */
  private merge(old: PodStatus | undefined, status: PodStatus): PodStatus {
    const now = metaTime(this.options.clock.now());
    const oldConditions = (old?.conditions ?? []) as PodCondition[];
    const isKubelets = (type: string) => (KUBELET_CONDITIONS as readonly string[]).includes(type);
    const mine = (status.conditions ?? []).filter((c) => isKubelets(c.type)).map((c) => {
      const before = oldConditions.find((o) => o.type === c.type);
      return { ...c, lastTransitionTime: before && before.status === c.status && before.lastTransitionTime ? before.lastTransitionTime : now };
    });
    const merged: PodStatus = { ...(old ?? {}), ...status, conditions: [...mine, ...oldConditions.filter((c) => !isKubelets(c.type))] };
    merged.startTime = old?.startTime ?? now;
    if (old && isTerminalPhase(old.phase) && merged.phase !== old.phase) merged.phase = old.phase;
    return merged;
  }
}

function newer(a: KubeObject, b: KubeObject): boolean {
  const ra = Number(a.metadata.resourceVersion ?? 0);
  const rb = Number(b.metadata.resourceVersion ?? 0);
  return Number.isNaN(ra) || Number.isNaN(rb) ? true : ra >= rb;
}

function sameStatus(merged: PodStatus, old: PodStatus | undefined): boolean {
  return sameJSON(merged, old ?? {});
}
