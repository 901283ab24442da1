import { isAlreadyExists, isConflict, Resources, type EventRecorder, type ObjectsClient } from '@kubelab/client';
import { identityMatches, updateIdentity } from './stateful-pod';
import type { Pod, StatefulSet } from './types';

/** Conflicting pod updates are retried this many times (retry.DefaultBackoff's steps). */
const UPDATE_ATTEMPTS = 4;

/**
 * StatefulPodControl: creates, updates and deletes a StatefulSet's pods, recording on the set
 * "create Pod web-0 in StatefulSet web successful" (SuccessfulCreate, SuccessfulUpdate,
 * SuccessfulDelete), or "... failed error: <why>" (FailedCreate...). PersistentVolumeClaims,
 * which Kubernetes creates from volumeClaimTemplates first, are not served by kubelab.
 */
export class StatefulPodControl {
  constructor(
    private readonly client: ObjectsClient,
    private readonly recorder: EventRecorder,
  ) {}

  /** A pod that already exists (the cache was behind) fails the sync quietly, to be retried. */
  async createStatefulPod(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      await this.client.create(Resources.pods, pod);
    } catch (error) {
      if (isAlreadyExists(error)) throw error;
      this.recordPodEvent('create', set, pod, error);
      throw error;
    }
    this.recordPodEvent('create', set, pod);
  }

  /** Restores a pod's identity (name label, index label) if it lost it, re-reading it on conflict. */
  async updateStatefulPod(set: StatefulSet, pod: Pod): Promise<void> {
    let attempted = false;
    let current = structuredClone(pod);
    try {
      for (let attempt = 1; ; attempt++) {
        if (identityMatches(set, current)) return;
        updateIdentity(set, current);
        attempted = true;
        try {
          await this.client.update(Resources.pods, current);
          break;
        } catch (error) {
          if (!isConflict(error) || attempt >= UPDATE_ATTEMPTS) throw error;
          current = await this.client.get<Pod>(Resources.pods, set.metadata.namespace, pod.metadata.name!);
        }
      }
    } catch (error) {
      if (attempted) this.recordPodEvent('update', set, current, error);
      throw error;
    }
    this.recordPodEvent('update', set, current);
  }

  async deleteStatefulPod(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      await this.client.delete(Resources.pods, set.metadata.namespace, pod.metadata.name!);
    } catch (error) {
      this.recordPodEvent('delete', set, pod, error);
      throw error;
    }
    this.recordPodEvent('delete', set, pod);
  }

  private recordPodEvent(verb: 'create' | 'update' | 'delete', set: StatefulSet, pod: Pod, error?: unknown): void {
    const Verb = verb[0]!.toUpperCase() + verb.slice(1);
    if (error === undefined) this.recorder.event(set, 'Normal', `Successful${Verb}`, `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
    else this.recorder.event(set, 'Warning', `Failed${Verb}`, `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(error as Error).message}`);
  }
}
