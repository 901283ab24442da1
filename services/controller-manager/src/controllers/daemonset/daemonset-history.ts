import { isAlreadyExists, Resources, type Indexer, type ObjectsClient } from '@kubelab/client';
import { labelSelectorAsSelector } from '@kubelab/apimachinery';
import { ControllerRefManager, recheckDeletionTimestamp } from '../../controller/controller-ref-manager';
import { newControllerRef } from '../../controller/controller-ref';
import { maxRevision, sortControllerRevisions, type ControllerRevision } from '../../controller/controller-history';
import { computeHash } from '../../controller/pod-template-hash';
import { semanticEqual } from '../../controller/semantic-equal';
import { DAEMONSET_UNIQUE_LABEL } from './daemon-pod';
import type { DaemonSet, Pod } from './types';

/** The default of spec.revisionHistoryLimit. */
const DEFAULT_REVISION_HISTORY_LIMIT = 10;

/**
 * What a DaemonSet revision holds (getPatch): a strategic merge patch that puts this template
 * back, `{"spec":{"template":{..., "$patch":"replace"}}}`, which `kubectl rollout undo` applies.
 */
export function daemonSetPatch(ds: DaemonSet): unknown {
  return { spec: { template: { ...structuredClone(ds.spec.template ?? {}), $patch: 'replace' } } };
}

/** Whether a revision is the DaemonSet's current template (Match). */
export function matchesRevision(ds: DaemonSet, revision: ControllerRevision): boolean {
  return semanticEqual(daemonSetPatch(ds), revision.data);
}

/**
 * A DaemonSet's ControllerRevisions (the daemon controller's constructHistory, snapshot,
 * dedupCurHistories and cleanupHistory). Each revision is named `<ds>-<hash of the template>` and
 * labelled `controller-revision-hash: <hash>`, the label the DaemonSet's pods carry.
 */
export class DaemonSetHistory {
  constructor(
    private readonly client: ObjectsClient,
    private readonly revisions: Indexer<ControllerRevision>,
  ) {}

  /**
   * The current revision (created when the template is new, renumbered to the newest when the
   * template went back to an older one) and the others. `daemonPods` are the DaemonSet's pods, to
   * relabel when duplicate current revisions are merged.
   */
  async construct(ds: DaemonSet, daemonPods: () => Promise<Pod[]>): Promise<{ cur: ControllerRevision; old: ControllerRevision[] }> {
    const current: ControllerRevision[] = [];
    const old: ControllerRevision[] = [];
    for (let history of await this.controlledHistories(ds)) {
      if (history.metadata.labels?.[DAEMONSET_UNIQUE_LABEL] === undefined) {
        // A revision without the hash label gets its name as hash (names cannot collide).
        const toUpdate = structuredClone(history);
        toUpdate.metadata.labels = { ...toUpdate.metadata.labels, [DAEMONSET_UNIQUE_LABEL]: history.metadata.name! };
        history = await this.client.update(Resources.controllerrevisions, toUpdate);
      }
      (matchesRevision(ds, history) ? current : old).push(history);
    }
    const currRevision = maxRevision(old) + 1;
    if (current.length === 0) return { cur: await this.snapshot(ds, currRevision), old };
    let cur = await this.dedupCurHistories(ds, current, daemonPods);
    if (cur.revision < currRevision) cur = await this.client.update(Resources.controllerrevisions, { ...structuredClone(cur), revision: currRevision });
    return { cur, old };
  }

  /**
   * Deletes the oldest revisions beyond spec.revisionHistoryLimit, except those some pod (even a
   * deleted, finished one) still carries the hash of.
   */
  async cleanup(ds: DaemonSet, old: readonly ControllerRevision[], daemonPods: readonly Pod[]): Promise<void> {
    let toKill = old.length - (ds.spec.revisionHistoryLimit ?? DEFAULT_REVISION_HISTORY_LIMIT);
    if (toKill <= 0) return;
    const liveHashes = new Set(daemonPods.map((p) => p.metadata.labels?.[DAEMONSET_UNIQUE_LABEL]).filter(Boolean));
    for (const history of sortControllerRevisions(old)) {
      if (toKill <= 0) break;
      if (liveHashes.has(history.metadata.labels?.[DAEMONSET_UNIQUE_LABEL])) continue;
      await this.client.delete(Resources.controllerrevisions, history.metadata.namespace, history.metadata.name!);
      toKill--;
    }
  }

  /** The revisions the DaemonSet controls, after adopting orphans its selector matches and releasing ones it no longer does. */
  private controlledHistories(ds: DaemonSet): Promise<ControllerRevision[]> {
    const manager = new ControllerRefManager(this.client, ds, dsRef(ds), labelSelectorAsSelector(ds.spec.selector), recheckDeletionTimestamp(this.client, Resources.daemonsets, ds));
    return manager.claim(Resources.controllerrevisions, this.revisions.byIndex('namespace', ds.metadata.namespace ?? ''));
  }

  /**
   * Records the template as revision `revision`. A revision of that name with another template
   * is a hash collision: status.collisionCount goes up (so the next try has another name) and
   * the sync fails, to be retried.
   */
  private async snapshot(ds: DaemonSet, revision: number): Promise<ControllerRevision> {
    const hash = computeHash(ds.spec.template, ds.status?.collisionCount);
    const name = `${ds.metadata.name}-${hash}`;
    const history: ControllerRevision = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name,
        namespace: ds.metadata.namespace,
        labels: { ...ds.spec.template?.metadata?.labels, [DAEMONSET_UNIQUE_LABEL]: hash },
        ...(ds.metadata.annotations ? { annotations: { ...ds.metadata.annotations } } : {}),
        ownerReferences: [dsRef(ds)],
      },
      data: daemonSetPatch(ds),
      revision,
    };
    try {
      return await this.client.create(Resources.controllerrevisions, history);
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      const existing = await this.client.get<ControllerRevision>(Resources.controllerrevisions, ds.metadata.namespace, name);
      if (matchesRevision(ds, existing)) return existing;
      const fresh = await this.client.get<DaemonSet>(Resources.daemonsets, ds.metadata.namespace, ds.metadata.name!);
      if ((fresh.status?.collisionCount ?? null) !== (ds.status?.collisionCount ?? null)) {
        throw new Error(`found a stale collision count (${ds.status?.collisionCount ?? 'nil'}, expected ${fresh.status?.collisionCount ?? 'nil'}) of DaemonSet "${ds.metadata.name}" while processing; will retry until it is updated`);
      }
      await this.client.updateStatus(Resources.daemonsets, { ...fresh, status: { ...fresh.status, collisionCount: (fresh.status?.collisionCount ?? 0) + 1 } });
      throw error;
    }
  }

  /** Keeps the newest of several revisions of the current template; pods of the others are relabelled first. */
  private async dedupCurHistories(ds: DaemonSet, current: ControllerRevision[], daemonPods: () => Promise<Pod[]>): Promise<ControllerRevision> {
    if (current.length === 1) return current[0]!;
    let keep = current[0]!;
    for (const cur of current) if (cur.revision >= keep.revision) keep = cur;
    const hash = keep.metadata.labels?.[DAEMONSET_UNIQUE_LABEL];
    for (const pod of await daemonPods()) {
      if (pod.metadata.labels?.[DAEMONSET_UNIQUE_LABEL] === hash) continue;
      await this.client.patch(Resources.pods, pod.metadata.namespace, pod.metadata.name!, 'application/merge-patch+json', { metadata: { labels: { [DAEMONSET_UNIQUE_LABEL]: hash } } });
    }
    for (const cur of current) {
      if (cur.metadata.name !== keep.metadata.name) await this.client.delete(Resources.controllerrevisions, cur.metadata.namespace, cur.metadata.name!);
    }
    return keep;
  }
}

export function dsRef(ds: DaemonSet) {
  return newControllerRef(ds, 'apps/v1', 'DaemonSet');
}
