/** A core/v1 NamespaceCondition. */
export interface NamespaceCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** The condition types the namespace controller keeps while it empties a namespace, in its order. */
export const CONDITION_TYPES = [
  'NamespaceDeletionDiscoveryFailure',
  'NamespaceDeletionGroupVersionParsingFailure',
  'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining',
  'NamespaceFinalizersRemaining',
] as const;

type ConditionType = (typeof CONDITION_TYPES)[number];

/** What each condition says when all is well (status False). */
const OK: Record<ConditionType, { reason: string; message: string }> = {
  NamespaceDeletionDiscoveryFailure: { reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
  NamespaceDeletionGroupVersionParsingFailure: { reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
  NamespaceDeletionContentFailure: { reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
  NamespaceContentRemaining: { reason: 'ContentRemoved', message: 'All content successfully removed' },
  NamespaceFinalizersRemaining: { reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
};

/** What one pass over a namespace's content found. */
export interface ContentTotals {
  /** Objects left, by "resource.group" (pods of the core group: "pods."). */
  remainingByResource: Map<string, number>;
  /** Objects left, by finalizer they carry. */
  remainingByFinalizer: Map<string, number>;
  /** Why deleting some resources failed. */
  deleteErrors: string[];
}

/**
 * namespaceConditionUpdater: the conditions a pass sets, each failing one (status True) with
 * Kubernetes' reason and message ("Some resources are remaining: pods. has 2 resource
 * instances"), every other one in its good state (False).
 */
export function deletionConditions(totals: ContentTotals): Array<Omit<NamespaceCondition, 'lastTransitionTime'>> {
  const failing = new Map<ConditionType, { reason: string; message: string }>();
  if (totals.deleteErrors.length) {
    const messages = [...totals.deleteErrors].sort();
    failing.set('NamespaceDeletionContentFailure', { reason: 'ContentDeletionFailed', message: `Failed to delete all resource types, ${messages.length} remaining: ${messages.join(', ')}` });
  }
  const resources = [...totals.remainingByResource].filter(([, n]) => n > 0).map(([resource, n]) => `${resource} has ${n} resource instances`);
  if (totals.remainingByResource.size) failing.set('NamespaceContentRemaining', { reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${resources.sort().join(', ')}` });
  const finalizers = [...totals.remainingByFinalizer].filter(([, n]) => n > 0).map(([finalizer, n]) => `${finalizer} in ${n} resource instances`);
  if (totals.remainingByFinalizer.size) {
    failing.set('NamespaceFinalizersRemaining', { reason: 'SomeFinalizersRemain', message: `Some content in the namespace has finalizers remaining: ${finalizers.sort().join(', ')}` });
  }
  return CONDITION_TYPES.map((type) => {
    const bad = failing.get(type);
    return bad ? { type, status: 'True' as const, ...bad } : { type, status: 'False' as const, ...OK[type] };
  });
}

/**
 * updateConditions: merges the new conditions into the namespace's, the transition time moving
 * only when the status does. Returns the conditions and whether anything changed.
 */
export function mergeConditions(current: NamespaceCondition[] | undefined, next: Array<Omit<NamespaceCondition, 'lastTransitionTime'>>, now: string): { conditions: NamespaceCondition[]; changed: boolean } {
  const conditions = structuredClone(current ?? []);
  let changed = false;
  for (const want of next) {
    const have = conditions.find((c) => c.type === want.type);
    if (!have) {
      conditions.push({ type: want.type, status: want.status, lastTransitionTime: now, reason: want.reason, message: want.message });
      changed = true;
    } else if (have.status !== want.status || have.reason !== want.reason || have.message !== want.message) {
      if (have.status !== want.status) have.lastTransitionTime = now;
      Object.assign(have, want);
      changed = true;
    }
  }
  return { conditions, changed };
}
