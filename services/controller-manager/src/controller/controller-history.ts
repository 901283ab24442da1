import { isAlreadyExists, isNotFound, Resources, type Indexer, type KubeObject, type ObjectsClient } from '@kubelab/client';
import type { LabelSelector, OwnerReference } from '@kubelab/apimachinery';
import { controllerOf } from './controller-ref';
import { canonicalJson, safeEncodeString } from './pod-template-hash';
import { semanticEqual } from './semantic-equal';

/**
 * ControllerRevisions (apps/v1): the immutable snapshots of a DaemonSet's or StatefulSet's pod
 * template that `kubectl rollout history` lists and `kubectl rollout undo` applies. This file is
 * Kubernetes' pkg/controller/history: hashing, naming, ordering, comparing, and the writes
 * (create with collision handling, renumber, delete, adopt, release). Revision data is compared
 * semantically (semantic-equal.ts), where Kubernetes compares the stored bytes.
 */

/** The label carrying the hash of a revision's data (history.ControllerRevisionHashLabel). */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';

export interface ControllerRevision extends KubeObject {
  /** What the owner restores from this revision: a strategic merge patch of its spec.template. */
  data?: unknown;
  revision: number;
}

/** FNV-1, 32 bits (hash/fnv New32: multiply, then xor), continued from `seed` (0x811c9dc5 to start). */
export function fnv32(seed: number, bytes: Uint8Array): number {
  let hash = seed >>> 0;
  for (const byte of bytes) hash = (Math.imul(hash, 0x01000193) ^ byte) >>> 0;
  return hash;
}

/** history.HashControllerRevision: FNV-1 of the data, and of the probe (collision count) in decimal. */
export function hashControllerRevision(data: unknown, probe?: number): string {
  let hash = fnv32(0x811c9dc5, Buffer.from(canonicalJson(data), 'utf8'));
  if (probe !== undefined && probe !== null) hash = fnv32(hash, Buffer.from(String(probe), 'utf8'));
  return safeEncodeString(String(hash));
}

/** `<prefix>-<hash>`, the prefix cut to 223 characters so the name stays within 253. */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.slice(0, 223)}-${hash}`;
}

/**
 * history.NewControllerRevision: a revision owned by `owner`, labelled as the template is plus
 * the hash of its data, named after the owner and that hash.
 */
export function newControllerRevision(owner: KubeObject, ownerRef: OwnerReference, templateLabels: Record<string, string> | undefined, data: unknown, revision: number, collisionCount?: number): ControllerRevision {
  const hash = hashControllerRevision(data, collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: controllerRevisionName(owner.metadata.name!, hash),
      namespace: owner.metadata.namespace,
      labels: { ...templateLabels, [CONTROLLER_REVISION_HASH_LABEL]: hash },
      ownerReferences: [ownerRef],
    },
    data,
    revision,
  };
}

/** Oldest first: by revision, then creation time, then name (history.SortControllerRevisions). */
export function sortControllerRevisions<T extends ControllerRevision>(revisions: readonly T[]): T[] {
  return [...revisions].sort((a, b) => {
    if (a.revision !== b.revision) return a.revision - b.revision;
    const at = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
    const bt = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
    if (at !== bt) return at - bt;
    return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : (a.metadata.name ?? '') > (b.metadata.name ?? '') ? 1 : 0;
  });
}

/**
 * Whether two revisions hold the same data (history.EqualRevision). Hash labels that differ
 * settle it at once, but, as in Kubernetes, only labels that parse as 32-bit integers count,
 * which safe-encoded hashes seldom do: mostly the data decides.
 */
export function equalRevision(a: ControllerRevision | undefined, b: ControllerRevision | undefined): boolean {
  if (!a || !b) return a === b;
  const ha = int32Label(a.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL]);
  const hb = int32Label(b.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL]);
  if (ha !== undefined && hb !== undefined && ha !== hb) return false;
  return semanticEqual(a.data, b.data);
}

function int32Label(value: string | undefined): number | undefined {
  if (value === undefined || !/^[+-]?\d+$/.test(value)) return undefined;
  const n = Number(value);
  return n >= -(2 ** 31) && n <= 2 ** 31 - 1 ? n : undefined;
}

/** The revisions equal to `needle`, in the order given. */
export function findEqualRevisions<T extends ControllerRevision>(revisions: readonly T[], needle: ControllerRevision): T[] {
  return revisions.filter((r) => equalRevision(r, needle));
}

/** The highest revision number, 0 for none. */
export function maxRevision(revisions: readonly ControllerRevision[]): number {
  return revisions.reduce((max, r) => Math.max(max, r.revision ?? 0), 0);
}

/**
 * The writes of a controller's history (history.realHistory): reads come from the shared
 * ControllerRevision informer's cache, writes go to the apiserver.
 */
export class ControllerHistory {
  constructor(
    private readonly client: ObjectsClient,
    private readonly revisions: Indexer<ControllerRevision>,
  ) {}

  /** The revisions in the owner's namespace that match `selector` and are the owner's or nobody's. */
  listControllerRevisions(owner: KubeObject, selector: LabelSelector): ControllerRevision[] {
    return this.revisions.byIndex('namespace', owner.metadata.namespace ?? '').filter((r) => {
      if (!selector.matches(r.metadata.labels ?? {})) return false;
      const ref = controllerOf(r);
      return !ref || ref.uid === owner.metadata.uid;
    });
  }

  /**
   * Creates `revision` under the name its hash and the collision count give. A revision of that
   * name with other data is a collision: the count goes up and the next name is tried. Returns the
   * stored revision and the count, which the owner keeps in status.collisionCount.
   */
  async createControllerRevision(owner: KubeObject, revision: ControllerRevision, collisionCount: number): Promise<{ revision: ControllerRevision; collisionCount: number }> {
    for (;;) {
      const name = controllerRevisionName(owner.metadata.name!, hashControllerRevision(revision.data, collisionCount));
      const toCreate = { ...revision, metadata: { ...revision.metadata, name, namespace: owner.metadata.namespace } };
      try {
        return { revision: await this.client.create(Resources.controllerrevisions, toCreate), collisionCount };
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
        const existing = await this.client.get<ControllerRevision>(Resources.controllerrevisions, owner.metadata.namespace, name);
        if (semanticEqual(existing.data, revision.data)) return { revision: existing, collisionCount };
        collisionCount++;
      }
    }
  }

  /** Renumbers a revision (a rollback to it makes it the newest), re-reading it on conflict. */
  async updateControllerRevision(revision: ControllerRevision, newRevision: number): Promise<ControllerRevision> {
    let current = revision;
    for (let attempt = 0; ; attempt++) {
      if (current.revision === newRevision) return current;
      try {
        return await this.client.update(Resources.controllerrevisions, { ...structuredClone(current), revision: newRevision });
      } catch (error) {
        if (attempt >= 4) throw error;
        current = await this.client.get<ControllerRevision>(Resources.controllerrevisions, revision.metadata.namespace, revision.metadata.name!);
      }
    }
  }

  async deleteControllerRevision(revision: ControllerRevision): Promise<void> {
    try {
      await this.client.delete(Resources.controllerrevisions, revision.metadata.namespace, revision.metadata.name!);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /** Makes `owner` the controller of an orphaned revision (a strategic merge patch, guarded by the revision's uid). */
  adoptControllerRevision(ownerRef: OwnerReference, revision: ControllerRevision): Promise<ControllerRevision> {
    if (controllerOf(revision)) return Promise.reject(new Error(`attempt to adopt revision owned by ${controllerOf(revision)!.name}`));
    return this.client.patch<ControllerRevision>(Resources.controllerrevisions, revision.metadata.namespace, revision.metadata.name!, 'application/strategic-merge-patch+json', {
      metadata: { ownerReferences: [ownerRef], uid: revision.metadata.uid },
    });
  }

  /** Removes `owner` from a revision's owners; a revision already gone is fine. */
  async releaseControllerRevision(owner: KubeObject, revision: ControllerRevision): Promise<void> {
    try {
      await this.client.patch(Resources.controllerrevisions, revision.metadata.namespace, revision.metadata.name!, 'application/strategic-merge-patch+json', {
        metadata: { ownerReferences: [{ $patch: 'delete', uid: owner.metadata.uid }], uid: revision.metadata.uid },
      });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}
