import { describe, expect, it } from 'vitest';
import { pods } from '../registry/resources/pods';
import type { KubeObject } from '../registry/types';
import { objectFilter, selectEvent } from './selectors';

const pod = (labels: Record<string, string>, resourceVersion: string): KubeObject => ({ kind: 'Pod', metadata: { name: 'web', namespace: 'default', labels, resourceVersion } });
const front = objectFilter(pods, 'tier=front', null);

/** How a watch through `labelSelector=tier=front` reports each change of the pod's labels. */
describe('selectEvent', () => {
  it.each([
    ['created matching', 'ADDED', undefined, { tier: 'front' }, 'ADDED'],
    ['created not matching', 'ADDED', undefined, { tier: 'back' }, undefined],
    ['still matching', 'MODIFIED', { tier: 'front' }, { tier: 'front', v: '2' }, 'MODIFIED'],
    ['starts matching', 'MODIFIED', { tier: 'back' }, { tier: 'front' }, 'ADDED'],
    ['stops matching', 'MODIFIED', { tier: 'front' }, { tier: 'back' }, 'DELETED'],
    ['never matching', 'MODIFIED', { tier: 'back' }, { tier: 'db' }, undefined],
    ['deleted while matching', 'DELETED', { tier: 'front' }, { tier: 'front' }, 'DELETED'],
    ['deleted not matching', 'DELETED', { tier: 'back' }, { tier: 'back' }, undefined],
  ] as const)('%s → %s', (_what, type, before, after, expected) => {
    const event = { type, object: pod(after, '7'), ...(before ? { previous: pod(before, '6') } : {}) };
    const selected = selectEvent(event, front);
    expect(selected?.type).toBe(expected);
    if (selected) expect(selected.object.metadata.resourceVersion).toBe('7');
  });

  it('a pod that left the selection is reported with its last matching labels at the new resourceVersion', () => {
    const selected = selectEvent({ type: 'MODIFIED', object: pod({ tier: 'back' }, '9'), previous: pod({ tier: 'front' }, '8') }, front);
    expect(selected).toEqual({ type: 'DELETED', object: pod({ tier: 'front' }, '9') });
  });
});
