import { isDeepStrictEqual } from 'node:util';
import { isConflict, isNotFound, metaTime, Resources, type Clock, type KubeObject, type ObjectsClient } from '@kubelab/client';
import type { Logger } from '@kubelab/component-base';
import type { PodCondition, PodStatus } from './api-types';
import { KUBELET_CONDITIONS } from './conditions';
import { isTerminalPhase } from './phase';

const MAX_CONFLICT_RETRIES = 5;

/**
 * Writes pods' statuses to the apiserver (the kubelet's status manager): only when the status
 * really changed, against the newest pod the kubelet has seen (its own writes or the informer's),
 * keeping the conditions others own and the old transition times of conditions that did not
 * change; a conflict is retried on a freshly read pod. A terminal phase is never undone.
 */
export class StatusManager {
  private readonly latest = new Map<string, KubeObject>();

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

  /** Posts `status` for `pod` if it differs from what the apiserver has. Returns the pod as stored. */
  async setPodStatus(pod: KubeObject, status: PodStatus): Promise<KubeObject | undefined> {
    this.observe(pod);
    let base = this.latest.get(pod.metadata.uid!)!;
    for (let attempt = 0; ; attempt++) {
      const old = base.status as PodStatus | undefined;
      const merged = this.merge(old, status);
      if (isDeepStrictEqual(plain(merged), plain(old ?? {}))) return base;
      try {
        const stored = await this.options.client.updateStatus(Resources.pods, { ...base, status: merged });
        this.observe(stored);
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
        if (base.metadata.uid !== pod.metadata.uid) return undefined;
        this.observe(base);
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

/** JSON's view of a value (no undefined fields), for comparing. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}
