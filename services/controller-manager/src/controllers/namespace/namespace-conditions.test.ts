import { describe, expect, it } from 'vitest';
import { deletionConditions, mergeConditions, type ContentTotals } from './namespace-conditions';

const totals = (t: Partial<ContentTotals> = {}): ContentTotals => ({ remainingByResource: new Map(), remainingByFinalizer: new Map(), deleteErrors: [], ...t });
const failing = (t: ContentTotals) => deletionConditions(t).filter((c) => c.status === 'True');

describe('deletionConditions', () => {
  it('says all is well, condition by condition, when nothing is left', () => {
    expect(deletionConditions(totals())).toEqual([
      { type: 'NamespaceDeletionDiscoveryFailure', status: 'False', reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
      { type: 'NamespaceDeletionGroupVersionParsingFailure', status: 'False', reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
      { type: 'NamespaceDeletionContentFailure', status: 'False', reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
      { type: 'NamespaceContentRemaining', status: 'False', reason: 'ContentRemoved', message: 'All content successfully removed' },
      { type: 'NamespaceFinalizersRemaining', status: 'False', reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
    ]);
  });

  it.each([
    {
      name: 'remaining objects, by resource, sorted',
      totals: totals({
        remainingByResource: new Map([
          ['pods.', 2],
          ['deployments.apps', 1],
        ]),
      }),
      want: [{ type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', message: 'Some resources are remaining: deployments.apps has 1 resource instances, pods. has 2 resource instances' }],
    },
    {
      name: 'finalizers holding objects',
      totals: totals({ remainingByResource: new Map([['configmaps.', 1]]), remainingByFinalizer: new Map([['example.com/hold', 1]]) }),
      want: [
        { type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', message: 'Some resources are remaining: configmaps. has 1 resource instances' },
        { type: 'NamespaceFinalizersRemaining', status: 'True', reason: 'SomeFinalizersRemain', message: 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances' },
      ],
    },
    {
      name: 'deletions that failed',
      totals: totals({ deleteErrors: ['b failed', 'a failed'] }),
      want: [{ type: 'NamespaceDeletionContentFailure', status: 'True', reason: 'ContentDeletionFailed', message: 'Failed to delete all resource types, 2 remaining: a failed, b failed' }],
    },
  ])('$name', ({ totals: t, want }) => {
    expect(failing(t)).toEqual(want);
  });
});

describe('mergeConditions', () => {
  const pods = deletionConditions(totals({ remainingByResource: new Map([['pods.', 2]]) }));
  const fewerPods = deletionConditions(totals({ remainingByResource: new Map([['pods.', 1]]) }));
  const empty = deletionConditions(totals());

  it('adds the conditions the first time, stamped now', () => {
    const { conditions, changed } = mergeConditions(undefined, pods, 'T1');
    expect(changed).toBe(true);
    expect(conditions.map((c) => c.lastTransitionTime)).toEqual(['T1', 'T1', 'T1', 'T1', 'T1']);
  });

  it('moves the transition time only when the status moves, and reports no change when there is none', () => {
    const first = mergeConditions(undefined, pods, 'T1').conditions;
    const reworded = mergeConditions(first, fewerPods, 'T2');
    expect(reworded.changed).toBe(true);
    expect(reworded.conditions.find((c) => c.type === 'NamespaceContentRemaining')).toMatchObject({ lastTransitionTime: 'T1', message: 'Some resources are remaining: pods. has 1 resource instances' });
    const cleared = mergeConditions(reworded.conditions, empty, 'T3');
    expect(cleared.conditions.find((c) => c.type === 'NamespaceContentRemaining')).toMatchObject({ status: 'False', lastTransitionTime: 'T3' });
    expect(mergeConditions(cleared.conditions, empty, 'T4').changed).toBe(false);
  });
});
