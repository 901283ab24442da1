import { isConflict, isNotFound, Resources, type Clock, type ObjectsClient } from '@kubelab/client';
import { labelSelectorAsSelector } from '@kubelab/apimachinery';
import { sortControllerRevisions, type ControllerHistory, type ControllerRevision } from '../../controller/controller-history';
import type { StatefulPodControl } from './stateful-pod-control';
import { getEndOrdinal, getOrdinal, getPodRevision, getStartOrdinal, identityMatches, isCreated, isFailed, isRunningAndAvailable, isRunningAndReady, isSucceeded, isTerminating, isUnavailable, newVersionedStatefulSetPod, podInOrdinalRange, replicasOf } from './stateful-pod';
import { applyRevision, getStatefulSetRevisions, truncateHistory } from './stateful-set-revisions';
import { completeRollingUpdate, countReplicas, inconsistentStatus } from './stateful-set-status';
import type { Pod, StatefulSet, StatefulSetStatus } from './types';

/** Pods handled at once in Parallel mode, at most (MaxBatchSize). */
const MAX_BATCH_SIZE = 500;
/** Status writes that conflict are retried this many times (retry.DefaultRetry's steps). */
const STATUS_ATTEMPTS = 5;

/**
 * The StatefulSet's update loop (defaultStatefulSetControl). With OrderedReady (monotonic),
 * pods are created one at a time in ordinal order, each only once all before it are Running and
 * Ready (and available), and removed one at a time from the highest ordinal down; with Parallel
 * all are created or removed at once. A failed or finished pod is deleted, to be created again
 * under the same name. Then RollingUpdate deletes the highest pod not at the update revision
 * (down to the partition), waiting for each replacement to be available; OnDelete waits for
 * someone else to delete them.
 */
export class StatefulSetControl {
  constructor(
    private readonly client: ObjectsClient,
    private readonly podControl: StatefulPodControl,
    private readonly history: ControllerHistory,
    private readonly clock: Clock,
  ) {}

  /** UpdateStatefulSet: one pass, then the status and the history limit; returns the status written. */
  async updateStatefulSet(original: StatefulSet, pods: readonly Pod[]): Promise<StatefulSetStatus> {
    const set = structuredClone(original);
    const revisions = sortControllerRevisions(this.history.listControllerRevisions(set, labelSelectorAsSelector(set.spec.selector)));
    let current: ControllerRevision | undefined;
    let update: ControllerRevision | undefined;
    try {
      const found = await getStatefulSetRevisions(this.history, set, revisions);
      current = found.currentRevision;
      update = found.updateRevision;
      const { status, error } = await this.updatePods(set, current, update, found.collisionCount, pods);
      let statusError: unknown;
      try {
        await this.updateStatefulSetStatus(set, status);
      } catch (e) {
        statusError = e;
      }
      if (error !== undefined) throw error;
      if (statusError !== undefined) throw statusError;
      return status;
    } finally {
      await truncateHistory(this.history, set, pods, revisions, current, update);
    }
  }

  /** updateStatefulSet: creates, updates and deletes pods; the status comes back even when a step failed. */
  private async updatePods(set: StatefulSet, currentRevision: ControllerRevision, updateRevision: ControllerRevision, collisionCount: number, pods: readonly Pod[]): Promise<{ status: StatefulSetStatus; error?: unknown }> {
    const currentSet = applyRevision(set, currentRevision);
    const updateSet = applyRevision(set, updateRevision);
    const minReadySeconds = set.spec.minReadySeconds ?? 0;
    const now = this.clock.now();
    const status: StatefulSetStatus = {
      observedGeneration: set.metadata.generation,
      currentRevision: currentRevision.metadata.name,
      updateRevision: updateRevision.metadata.name,
      collisionCount,
      replicas: 0,
      readyReplicas: 0,
      currentReplicas: 0,
      updatedReplicas: 0,
      availableReplicas: 0,
    };
    countReplicas(status, minReadySeconds, now, currentRevision, updateRevision, pods);

    // Pods in [start, end] by ordinal; others with an ordinal are condemned, highest first.
    const start = getStartOrdinal(set);
    const replicas: Pod[] = new Array<Pod>(replicasOf(set));
    const condemned: Pod[] = [];
    for (const pod of pods) {
      if (podInOrdinalRange(pod, set)) replicas[getOrdinal(pod) - start] = pod;
      else if (getOrdinal(pod) >= 0) condemned.push(pod);
    }
    for (let ordinal = start; ordinal <= getEndOrdinal(set); ordinal++) {
      replicas[ordinal - start] ??= newVersionedStatefulSetPod(currentSet, updateSet, currentRevision.metadata.name!, updateRevision.metadata.name!, ordinal);
    }
    condemned.sort((a, b) => getOrdinal(b) - getOrdinal(a));
    const firstUnhealthyPod = [...replicas, ...[...condemned].reverse()].find((pod) => isUnavailable(pod, minReadySeconds, now));
    const recount = () => countReplicas(status, minReadySeconds, now, currentRevision, updateRevision, replicas, condemned);

    // Being deleted: only the status.
    if (set.metadata.deletionTimestamp) return { status };

    const monotonic = set.spec.podManagementPolicy !== 'Parallel';
    try {
      if (await runForAll(replicas, (i) => this.processReplica(set, updateSet, monotonic, replicas, i, now), monotonic)) {
        recount();
        return { status };
      }
      // Only once every replica is Running and Ready (monotonic): scale down, highest ordinal first.
      if (await runForAll(condemned, (i) => this.processCondemned(set, firstUnhealthyPod, monotonic, condemned, i, now), monotonic)) {
        recount();
        return { status };
      }
    } catch (error) {
      recount();
      return { status, error };
    }
    recount();

    if (set.spec.updateStrategy?.type === 'OnDelete') return { status };

    // RollingUpdate: delete the highest pod (down to the partition) not at the update revision,
    // once all above it are available.
    const updateMin = set.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
    for (let target = replicas.length - 1; target >= updateMin; target--) {
      const pod = replicas[target]!;
      if (getPodRevision(pod) !== updateRevision.metadata.name && !isTerminating(pod)) {
        try {
          await this.podControl.deleteStatefulPod(set, pod);
        } catch (error) {
          if (!isNotFound(error)) return { status, error };
        }
        status.currentReplicas--;
        return { status };
      }
      if (isUnavailable(pod, minReadySeconds, now)) return { status };
    }
    return { status };
  }

  /** processReplica: true when the pass must stop here (monotonic), after making pod `i` what it should be. */
  private async processReplica(set: StatefulSet, updateSet: StatefulSet, monotonic: boolean, replicas: Pod[], i: number, now: number): Promise<boolean> {
    const pod = replicas[i]!;
    // Failed or finished (an evicted pod may end Succeeded): deleted now, created again once it is gone.
    if (isFailed(pod) || isSucceeded(pod)) {
      if (!pod.metadata.deletionTimestamp) await this.podControl.deleteStatefulPod(set, pod);
      return true;
    }
    if (!isCreated(pod)) {
      await this.podControl.createStatefulPod(set, pod);
      if (monotonic) return true;
    }
    if (monotonic && (isTerminating(pod) || !isRunningAndReady(pod) || !isRunningAndAvailable(pod, set.spec.minReadySeconds ?? 0, now))) return true;
    if (identityMatches(set, pod)) return false;
    await this.podControl.updateStatefulPod(updateSet, pod);
    return false;
  }

  /**
   * processCondemned: deletes pod `i` of those beyond the replica count. In monotonic mode a pod
   * being deleted blocks, and so does an unhealthy pod unless it is the first unhealthy one.
   */
  private async processCondemned(set: StatefulSet, firstUnhealthyPod: Pod | undefined, monotonic: boolean, condemned: Pod[], i: number, now: number): Promise<boolean> {
    const pod = condemned[i]!;
    if (isTerminating(pod)) return monotonic;
    const minReadySeconds = set.spec.minReadySeconds ?? 0;
    if (monotonic && pod !== firstUnhealthyPod && (!isRunningAndReady(pod) || !isRunningAndAvailable(pod, minReadySeconds, now))) return true;
    await this.podControl.deleteStatefulPod(set, pod);
    return true;
  }

  /** updateStatefulSetStatus: completes a finished rollout, and writes the status if it changed. */
  private async updateStatefulSetStatus(set: StatefulSet, status: StatefulSetStatus): Promise<void> {
    completeRollingUpdate(set, status);
    if (!inconsistentStatus(set, status)) return;
    let target = set;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.updateStatus(Resources.statefulsets, { ...target, status });
        return;
      } catch (error) {
        if (!isConflict(error) || attempt >= STATUS_ATTEMPTS) throw error;
        target = await this.client.get<StatefulSet>(Resources.statefulsets, set.metadata.namespace, set.metadata.name!);
      }
    }
  }
}

/**
 * runForAll: in monotonic mode one pod after the other, stopping where `fn` says so; otherwise
 * all of them in batches of 1, 2, 4... (slowStartBatch), stopping after a batch with an error.
 */
async function runForAll(pods: readonly Pod[], fn: (i: number) => Promise<boolean>, monotonic: boolean): Promise<boolean> {
  if (monotonic) {
    for (let i = 0; i < pods.length; i++) if (await fn(i)) return true;
    return false;
  }
  let next = 0;
  for (let batch = Math.min(pods.length, 1); batch > 0; batch = Math.min(2 * batch, pods.length - next, MAX_BATCH_SIZE)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, (_, k) => fn(next + k)));
    next += batch;
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
  return false;
}
