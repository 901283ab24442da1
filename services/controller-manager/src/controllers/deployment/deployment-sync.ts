import { isAlreadyExists, isNotFound, Resources, type EventRecorder, type KubeObject, type ObjectsClient } from '@kubelab/client';
import { controllerOf, newControllerRef } from '../../controller/controller-ref';
import { hasNamespaceTerminatingCause } from '../../controller/namespace-terminating';
import { computeHash, equalIgnoreHash, POD_TEMPLATE_HASH_LABEL, type PodTemplate } from '../../controller/pod-template-hash';
import { DESIRED_REPLICAS_ANNOTATION, maxRevision, REVISION_ANNOTATION, replicasAnnotation, replicasAnnotationsNeedUpdate, setDeploymentRevision, setNewReplicaSetAnnotations, setReplicasAnnotations } from './annotations';
import { getCondition, hasProgressDeadline, newCondition, PROGRESSING, Reasons, setCondition, type DeploymentStatus } from './conditions';
import { desiredReplicas, isRollingUpdate, maxSurge } from './fenceposts';
import { calculateStatus, progressCheckAfter, rolloutStatus, sameStatus } from './progress';
import { activeReplicaSets, byRevision, bySizeNewer, bySizeOlder, findActiveOrLatest, findNewReplicaSet, findOldReplicaSets, isSaturated, newRSNewReplicas, proportion, specReplicas, specReplicasOf } from './replica-sets';

export interface DeploymentSyncDeps {
  client: ObjectsClient;
  recorder: EventRecorder;
  now(): number;
  /** A ReplicaSet from the informer's cache (to tell an AlreadyExists of our own from a hash collision). */
  cachedReplicaSet(namespace: string, name: string): KubeObject | undefined;
  /** Look at the Deployment again after `ms` (0: soon, rate limited), for its progress deadline. */
  requeueAfter(ms: number): void;
}

/**
 * One sync of one Deployment (the DeploymentController methods of sync.go): the Deployment
 * being synced, `d`, a copy whose annotations and status it changes and writes, keeping the
 * resourceVersion each write returns so that its next write is not refused as stale. The
 * strategies (rolling.ts, recreate.ts) are built on these steps.
 */
export class DeploymentSync {
  /** The ReplicaSets this sync wrote, as stored: a later step works on them, not on the stale cached copies. */
  private readonly written = new Map<string, KubeObject>();

  constructor(
    readonly d: KubeObject,
    private readonly deps: DeploymentSyncDeps,
  ) {}

  get status(): DeploymentStatus {
    return (this.d.status ??= {}) as DeploymentStatus;
  }

  now(): number {
    return this.deps.now();
  }

  /** getAllReplicaSetsAndSyncRevision: the new ReplicaSet (created if asked and missing) and every old one. */
  async newAndOldReplicaSets(rsList: KubeObject[], createIfMissing: boolean): Promise<{ newRS: KubeObject | undefined; oldRSs: KubeObject[] }> {
    const current = rsList.map((rs) => this.written.get(rs.metadata.uid!) ?? rs);
    const oldRSs = findOldReplicaSets(this.d, current);
    const newRS = await this.getNewReplicaSet(current, oldRSs, createIfMissing);
    return { newRS, oldRSs };
  }

  private async updateReplicaSet(rs: KubeObject): Promise<KubeObject> {
    const stored = await this.deps.client.update(Resources.replicasets, rs);
    this.written.set(stored.metadata.uid!, stored);
    return stored;
  }

  /**
   * getNewReplicaSet: the ReplicaSet of the Deployment's template. An existing one gets the
   * Deployment's annotations and the next revision (a rollback makes an old ReplicaSet the
   * newest revision), and the Deployment gets its revision. A missing one is created if asked.
   */
  private async getNewReplicaSet(rsList: KubeObject[], oldRSs: KubeObject[], createIfMissing: boolean): Promise<KubeObject | undefined> {
    const d = this.d;
    const existing = findNewReplicaSet(d, rsList);
    const newRevision = maxRevision(oldRSs) + 1;
    if (!existing) return createIfMissing ? this.createNewReplicaSet(oldRSs, newRevision) : undefined;
    const rsCopy = structuredClone(existing);
    const annotationsUpdated = setNewReplicaSetAnnotations(d, rsCopy, newRevision, true, desiredReplicas(d), desiredReplicas(d) + maxSurge(d));
    const minReadySeconds = Number(d.spec?.minReadySeconds ?? 0);
    if (annotationsUpdated || Number(rsCopy.spec?.minReadySeconds ?? 0) !== minReadySeconds) {
      rsCopy.spec = withMinReadySeconds(rsCopy.spec ?? {}, minReadySeconds);
      return this.updateReplicaSet(rsCopy);
    }
    const revisionChanged = setDeploymentRevision(d, rsCopy.metadata.annotations?.[REVISION_ANNOTATION] ?? '');
    let statusChanged = false;
    if (hasProgressDeadline(d) && !getCondition(this.status, PROGRESSING)) {
      setCondition(this.status, newCondition(PROGRESSING, 'True', Reasons.foundNewReplicaSet, `Found new replica set "${rsCopy.metadata.name}"`, this.now()));
      statusChanged = true;
    }
    await this.write({ annotations: revisionChanged, status: statusChanged });
    return rsCopy;
  }

  /**
   * The new ReplicaSet, `<deployment>-<pod-template-hash>` with the hash label on its selector
   * and template, as large as the strategy allows now. Its name already taken by another template
   * (a hash collision) bumps status.collisionCount, so the next sync tries another hash.
   */
  private async createNewReplicaSet(oldRSs: KubeObject[], newRevision: number): Promise<KubeObject> {
    const d = this.d;
    const template = structuredClone((d.spec?.template ?? {}) as PodTemplate);
    const hash = computeHash(template, this.status.collisionCount);
    template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [POD_TEMPLATE_HASH_LABEL]: hash } };
    const selector = structuredClone((d.spec?.selector ?? {}) as { matchLabels?: Record<string, string> });
    selector.matchLabels = { ...selector.matchLabels, [POD_TEMPLATE_HASH_LABEL]: hash };
    const newRS: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: `${d.metadata.name}-${hash}`, namespace: d.metadata.namespace, ownerReferences: [newControllerRef(d, 'apps/v1', 'Deployment')], labels: template.metadata.labels },
      spec: withMinReadySeconds({ replicas: 0, selector, template }, Number(d.spec?.minReadySeconds ?? 0)),
    };
    const replicas = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
    newRS.spec!.replicas = replicas;
    setNewReplicaSetAnnotations(d, newRS, newRevision, false, desiredReplicas(d), desiredReplicas(d) + maxSurge(d));

    let created: KubeObject;
    let alreadyExists = false;
    try {
      created = await this.deps.client.create(Resources.replicasets, newRS);
    } catch (error) {
      if (!isAlreadyExists(error)) return this.failedCreate(newRS, error);
      const rs = this.deps.cachedReplicaSet(d.metadata.namespace!, newRS.metadata.name!);
      if (!rs) throw error;
      if (controllerOf(rs)?.uid !== d.metadata.uid || !equalIgnoreHash(d.spec?.template as PodTemplate, rs.spec?.template as PodTemplate)) {
        this.status.collisionCount = (this.status.collisionCount ?? 0) + 1;
        await this.write({ status: true }).catch(() => undefined);
        throw error;
      }
      // Ours already (a stale cache or a quick requeue): take it as created.
      created = rs;
      alreadyExists = true;
    }
    if (!alreadyExists && replicas > 0) this.deps.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${replicas}`);
    const revisionChanged = setDeploymentRevision(d, String(newRevision));
    let statusChanged = false;
    if (!alreadyExists && hasProgressDeadline(d)) {
      setCondition(this.status, newCondition(PROGRESSING, 'True', Reasons.newReplicaSetCreated, `Created new replica set "${created.metadata.name}"`, this.now()));
      statusChanged = true;
    }
    await this.write({ annotations: revisionChanged, status: statusChanged });
    return created;
  }

  /** A create refused: Progressing False / ReplicaSetCreateError and a warning (none when the namespace is going away). */
  private async failedCreate(newRS: KubeObject, error: unknown): Promise<never> {
    if (hasNamespaceTerminatingCause(error)) throw error;
    const message = `Failed to create new replica set "${newRS.metadata.name}": ${(error as Error).message}`;
    if (hasProgressDeadline(this.d)) {
      setCondition(this.status, newCondition(PROGRESSING, 'False', Reasons.failedRSCreate, message, this.now()));
      await this.write({ status: true }).catch(() => undefined);
    }
    this.deps.recorder.event(this.d, 'Warning', Reasons.failedRSCreate, message);
    throw error;
  }

  /**
   * scale: in a scaling event (or while paused), spread the change of spec.replicas over the
   * ReplicaSets that have pods, in proportion to their sizes (larger first; newer first up,
   * older first down), so that scaling neither hurries nor holds back a rollout.
   */
  async scale(newRS: KubeObject | undefined, oldRSs: KubeObject[]): Promise<void> {
    const d = this.d;
    const desired = desiredReplicas(d);
    const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
    if (activeOrLatest) {
      if (specReplicas(activeOrLatest) === desired) return;
      await this.scaleReplicaSetAndRecordEvent(activeOrLatest, desired);
      return;
    }
    // A saturated new ReplicaSet: the old ones go (an adoption while the new one was full).
    if (isSaturated(d, newRS)) {
      for (const old of activeReplicaSets(oldRSs)) await this.scaleReplicaSetAndRecordEvent(old, 0);
      return;
    }
    if (!isRollingUpdate(d)) return;
    const allRSs = activeReplicaSets([...oldRSs, newRS]);
    const allowed = desired > 0 ? desired + maxSurge(d) : 0;
    const toAdd = allowed - specReplicasOf(allRSs);
    if (toAdd > 0) allRSs.sort(bySizeNewer);
    else if (toAdd < 0) allRSs.sort(bySizeOlder);
    let added = 0;
    const sizes = allRSs.map((rs) => {
      if (toAdd === 0) return specReplicas(rs);
      const share = proportion(rs, d, toAdd, added);
      added += share;
      return specReplicas(rs) + share;
    });
    // Whatever rounding left over goes to the largest.
    if (toAdd !== 0 && sizes.length) sizes[0] = Math.max(0, sizes[0]! + toAdd - added);
    for (const [i, rs] of allRSs.entries()) await this.scaleReplicaSet(rs, sizes[i]!);
  }

  async scaleReplicaSetAndRecordEvent(rs: KubeObject, newScale: number): Promise<{ scaled: boolean; rs: KubeObject }> {
    if (specReplicas(rs) === newScale) return { scaled: false, rs };
    return this.scaleReplicaSet(rs, newScale);
  }

  /** scaleReplicaSet: spec.replicas and the replica annotations; a ScalingReplicaSet event when the size changed. */
  async scaleReplicaSet(rs: KubeObject, newScale: number): Promise<{ scaled: boolean; rs: KubeObject }> {
    const d = this.d;
    const oldScale = specReplicas(rs);
    const [desired, max] = [desiredReplicas(d), desiredReplicas(d) + maxSurge(d)];
    const sizeChanged = oldScale !== newScale;
    if (!sizeChanged && !replicasAnnotationsNeedUpdate(rs, desired, max)) return { scaled: false, rs };
    const rsCopy = structuredClone(rs);
    rsCopy.spec = { ...rsCopy.spec, replicas: newScale };
    setReplicasAnnotations(rsCopy, desired, max);
    const updated = await this.updateReplicaSet(rsCopy);
    if (sizeChanged) {
      const direction = oldScale < newScale ? 'up' : 'down';
      this.deps.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${direction} replica set ${rs.metadata.name} from ${oldScale} to ${newScale}`);
    }
    return { scaled: sizeChanged, rs: updated };
  }

  /**
   * cleanupDeployment: keeps revisionHistoryLimit old ReplicaSets, deleting the oldest revisions
   * beyond it, only those scaled to 0 with no pods left and their latest spec observed.
   */
  async cleanupDeployment(oldRSs: KubeObject[]): Promise<void> {
    const limit = this.d.spec?.revisionHistoryLimit;
    if (typeof limit !== 'number' || limit === 2 ** 31 - 1) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp).sort(byRevision);
    const diff = cleanable.length - limit;
    for (const rs of cleanable.slice(0, Math.max(0, diff))) {
      const observed = Number(rs.status?.observedGeneration ?? 0);
      if (Number(rs.status?.replicas ?? 0) !== 0 || specReplicas(rs) !== 0 || (rs.metadata.generation ?? 0) > observed) continue;
      try {
        await this.deps.client.delete(Resources.replicasets, rs.metadata.namespace, rs.metadata.name!);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
  }

  /** syncDeploymentStatus: counts and Available, written if they changed. */
  async syncDeploymentStatus(allRSs: Array<KubeObject | undefined>, newRS: KubeObject | undefined): Promise<void> {
    const status = calculateStatus(allRSs, newRS, this.d, this.now());
    if (sameStatus(this.status, status)) return;
    this.d.status = status as Record<string, unknown>;
    await this.write({ status: true });
  }

  /** syncRolloutStatus: as syncDeploymentStatus, with the Progressing condition; a stalled rollout is looked at again at its deadline. */
  async syncRolloutStatus(allRSs: Array<KubeObject | undefined>, newRS: KubeObject | undefined): Promise<void> {
    const status = rolloutStatus(allRSs, newRS, this.d, this.now());
    if (sameStatus(this.status, status)) {
      const after = progressCheckAfter(this.d, status, this.now());
      // A second more for clock skew, as Kubernetes does.
      if (after !== undefined) this.deps.requeueAfter(after === 0 ? 0 : after + 1000);
      return;
    }
    this.d.status = status as Record<string, unknown>;
    await this.write({ status: true });
  }

  /**
   * checkPausedConditions: Progressing Unknown / DeploymentPaused while paused, DeploymentResumed
   * after, so time spent paused never counts against the progress deadline.
   */
  async checkPausedConditions(): Promise<void> {
    const d = this.d;
    if (!hasProgressDeadline(d)) return;
    const current = getCondition(this.status, PROGRESSING);
    if (current?.reason === Reasons.timedOut) return;
    const pausedCondition = current?.reason === Reasons.paused;
    if (d.spec?.paused && !pausedCondition) {
      setCondition(this.status, newCondition(PROGRESSING, 'Unknown', Reasons.paused, 'Deployment is paused', this.now()));
    } else if (!d.spec?.paused && pausedCondition) {
      setCondition(this.status, newCondition(PROGRESSING, 'Unknown', Reasons.resumed, 'Deployment is resumed', this.now()));
    } else {
      return;
    }
    await this.write({ status: true });
  }

  /** isScalingEvent: spec.replicas differs from what an active ReplicaSet was last scaled for. */
  async isScalingEvent(rsList: KubeObject[]): Promise<boolean> {
    const { newRS, oldRSs } = await this.newAndOldReplicaSets(rsList, false);
    return activeReplicaSets([...oldRSs, newRS]).some((rs) => {
      const desired = replicasAnnotation(rs, DESIRED_REPLICAS_ANNOTATION);
      return desired !== undefined && desired !== desiredReplicas(this.d);
    });
  }

  /** sync: a scaling event or a paused Deployment; scale, clean up (when paused), write the status. */
  async sync(rsList: KubeObject[]): Promise<void> {
    const { newRS, oldRSs } = await this.newAndOldReplicaSets(rsList, false);
    await this.scale(newRS, oldRSs);
    if (this.d.spec?.paused) await this.cleanupDeployment(oldRSs);
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS);
  }

  /** syncStatusOnly: a Deployment being deleted changes nothing but its status. */
  async syncStatusOnly(rsList: KubeObject[]): Promise<void> {
    const { newRS, oldRSs } = await this.newAndOldReplicaSets(rsList, false);
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS);
  }

  /**
   * Writes the Deployment: its annotations (the revision) through the object, its status through
   * the status subresource, keeping the resourceVersion of each answer for the next write.
   */
  async write(what: { annotations?: boolean; status?: boolean }): Promise<void> {
    const d = this.d;
    if (what.annotations) {
      const stored = await this.deps.client.update(Resources.deployments, d);
      d.metadata.resourceVersion = stored.metadata.resourceVersion;
    }
    if (what.status) {
      const stored = await this.deps.client.updateStatus(Resources.deployments, d);
      d.metadata.resourceVersion = stored.metadata.resourceVersion;
    }
  }
}

/** A spec with minReadySeconds, left out when 0 (as the API leaves it out). */
function withMinReadySeconds(spec: Record<string, unknown>, minReadySeconds: number): Record<string, unknown> {
  const { minReadySeconds: _old, ...rest } = spec;
  return minReadySeconds ? { ...rest, minReadySeconds } : rest;
}
