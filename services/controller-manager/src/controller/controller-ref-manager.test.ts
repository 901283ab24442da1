import { afterEach, describe, expect, it } from 'vitest';
import { Resources, type KubeObject } from '@kubelab/client';
import { labelSelectorAsSelector } from '@kubelab/apimachinery';
import { ControllerRefManager } from './controller-ref-manager';
import { testEnv, type TestEnv } from './testing';
import { podFixture } from './testing-objects';

const ref = { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'uid-agent', controller: true, blockOwnerDeletion: true };
const controller = (deleting = false, uid = 'uid-agent'): KubeObject => ({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'default', uid, ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) } });
/** The pod `p`, of the DaemonSet `agent` with the uid `owner` if given. */
const pod = (f: { labels?: Record<string, string>; owner?: string; deleting?: boolean; namespace?: string }): KubeObject =>
  podFixture('p', { labels: f.labels ?? { app: 'agent' }, namespace: f.namespace, deleting: f.deleting, ...(f.owner ? { owner: controller(false, f.owner) } : {}) });

let env: TestEnv;
afterEach(async () => env?.close());

describe('ControllerRefManager.claim', () => {
  it.each<{ name: string; pod: KubeObject; deleting?: boolean; claimed: boolean; owners: unknown[] | undefined; writes: number }>([
    { name: 'ours and selected: claimed, no write', pod: pod({ owner: 'uid-agent' }), claimed: true, owners: [ref], writes: 0 },
    { name: 'ours, no longer selected: released', pod: pod({ owner: 'uid-agent', labels: { app: 'other' } }), claimed: false, owners: [], writes: 1 },
    { name: 'ours, no longer selected, while the controller is being deleted: left', pod: pod({ owner: 'uid-agent', labels: { app: 'other' } }), deleting: true, claimed: false, owners: [ref], writes: 0 },
    { name: 'ours and selected while the controller is being deleted: still ours', pod: pod({ owner: 'uid-agent' }), deleting: true, claimed: true, owners: [ref], writes: 0 },
    { name: "another controller's: ignored", pod: pod({ owner: 'uid-other' }), claimed: false, owners: [{ ...ref, uid: 'uid-other' }], writes: 0 },
    { name: 'a selected orphan: adopted', pod: pod({}), claimed: true, owners: [ref], writes: 1 },
    { name: 'an orphan not selected: ignored', pod: pod({ labels: { app: 'other' } }), claimed: false, owners: undefined, writes: 0 },
    { name: 'an orphan being deleted: ignored', pod: pod({ deleting: true }), claimed: false, owners: undefined, writes: 0 },
    { name: 'an orphan while the controller is being deleted: ignored', pod: pod({}), deleting: true, claimed: false, owners: undefined, writes: 0 },
  ])('$name', async ({ pod: object, deleting, claimed, owners, writes }) => {
    env = await testEnv();
    env.server.write(Resources.pods, 'ADDED', object);
    const manager = new ControllerRefManager(env.client, controller(deleting), ref, labelSelectorAsSelector({ matchLabels: { app: 'agent' } }), async () => {});
    const result = await manager.claim(Resources.pods, [object]);
    expect(result.length > 0).toBe(claimed);
    expect(env.objects('/pods')[0]!.metadata.ownerReferences).toEqual(owners);
    expect(env.server.calls.Patch ?? 0).toBe(writes);
  });

  it('applies the extra filters, and refuses to adopt when canAdopt says no', async () => {
    env = await testEnv();
    env.server.write(Resources.pods, 'ADDED', pod({}));
    const selector = labelSelectorAsSelector({ matchLabels: { app: 'agent' } });
    expect(await new ControllerRefManager(env.client, controller(), ref, selector, async () => {}).claim(Resources.pods, [pod({})], () => false)).toEqual([]);
    const refusing = new ControllerRefManager(env.client, controller(), ref, selector, () => Promise.reject(new Error('agent is being deleted')));
    await expect(refusing.claim(Resources.pods, [pod({})])).rejects.toThrow('agent is being deleted');
    expect(env.server.calls.Patch ?? 0).toBe(0);
  });
});
