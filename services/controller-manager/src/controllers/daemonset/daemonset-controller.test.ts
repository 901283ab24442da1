import { afterEach, describe, expect, it } from 'vitest';
import { Resources, type KubeObject } from '@kubelab/client';
import type { ControllerRevision } from '../../controller/controller-history';
import { caughtUp, editSpec, markRunningReady, startController, testEnv, type Fixture, type TestEnv } from '../../controller/testing';
import { nodeFixture } from '../../controller/testing-objects';
import { daemonPodFixture, daemonSetFixture } from '../../controller/testing-workloads';
import { DaemonSetsController } from './daemonset-controller';
import type { DaemonSet, Pod } from './types';

const KEY = 'default/fluentd';
const READY = '2026-01-01T00:00:00Z';
const controlPlane = nodeFixture('cp', { labels: { 'node-role.kubernetes.io/control-plane': '' }, taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] });
const WATCHED = [Resources.pods, Resources.nodes, Resources.daemonsets, Resources.controllerrevisions];

let env: TestEnv;
afterEach(async () => env?.close());

async function start(objects: { nodes: KubeObject[]; ds?: DaemonSet; pods?: Pod[]; revisions?: ControllerRevision[] }): Promise<DaemonSetsController> {
  env = await testEnv({ startMs: Date.parse('2026-01-01T01:00:00Z') });
  const fixtures: Fixture[] = [
    ...objects.nodes.map((node): Fixture => [Resources.nodes, node]),
    ...(objects.ds ? [[Resources.daemonsets, objects.ds] as Fixture] : []),
    ...(objects.pods ?? []).map((pod): Fixture => [Resources.pods, pod]),
    ...(objects.revisions ?? []).map((revision): Fixture => [Resources.controllerrevisions, revision]),
  ];
  return startController(env, (ctx) => new DaemonSetsController(ctx), fixtures);
}

/** Reconciles, then waits for the caches to see what the reconcile wrote. */
async function sync(controller: DaemonSetsController, key = KEY): Promise<void> {
  await controller.reconcile(key);
  await caughtUp(env, ...WATCHED);
}

const pods = () => env.objects('/pods') as Pod[];
const revisions = () => env.objects('apps/controllerrevisions') as ControllerRevision[];
const ds = () => env.objects('apps/daemonsets')[0] as DaemonSet;
const nodeOf = (pod: Pod) => pod.spec?.nodeName ?? pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]?.matchFields?.[0]?.values?.[0];
const podsByNode = (): Record<string, KubeObject> => Object.fromEntries(pods().map((p) => [nodeOf(p), p]));
const hashOf = (object: KubeObject) => object.metadata.labels?.['controller-revision-hash'];
const statusCounts = () => {
  const { currentNumberScheduled, desiredNumberScheduled, numberMisscheduled, numberReady, numberAvailable, updatedNumberScheduled, numberUnavailable, observedGeneration } = ds().status ?? {};
  return { desiredNumberScheduled, currentNumberScheduled, numberReady, numberAvailable, updatedNumberScheduled, numberMisscheduled, numberUnavailable, observedGeneration };
};

/** Creates the DaemonSet's pods and makes them Running and Ready. */
async function rollOut(controller: DaemonSetsController): Promise<void> {
  await sync(controller);
  for (const pod of pods()) markRunningReady(env, pod, READY);
  await caughtUp(env, ...WATCHED);
  await sync(controller);
}

const editTemplate = (change: (d: DaemonSet) => void) => editSpec(env, Resources.daemonsets, ds(), change);

describe('DaemonSetsController', () => {
  it('creates one pod per eligible node, pinned by node affinity for the scheduler, and records the revision', async () => {
    const controller = await start({ nodes: [controlPlane, nodeFixture('w1'), nodeFixture('w2')], ds: daemonSetFixture('fluentd') });
    await sync(controller);

    expect(revisions()).toHaveLength(1);
    const revision = revisions()[0]!;
    const hash = hashOf(revision)!;
    expect(revision).toMatchObject({
      metadata: { name: `fluentd-${hash}`, labels: { app: 'fluentd' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'fluentd', uid: 'uid-fluentd', controller: true, blockOwnerDeletion: true }] },
      revision: 1,
      data: { spec: { template: { $patch: 'replace', metadata: { labels: { app: 'fluentd' } } } } },
    });
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);

    expect(Object.keys(podsByNode()).sort()).toEqual(['w1', 'w2']);
    for (const pod of pods()) {
      expect(pod.metadata.generateName).toBe('fluentd-');
      expect(pod.metadata.name).toMatch(/^fluentd-/);
      expect(pod.metadata.labels).toEqual({ app: 'fluentd', 'controller-revision-hash': hash });
      expect(pod.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'fluentd', uid: 'uid-fluentd', controller: true, blockOwnerDeletion: true }]);
      expect(pod.spec?.nodeName).toBeUndefined();
      expect(pod.spec?.tolerations).toContainEqual({ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' });
    }
    expect((await env.events()).sort()).toEqual(pods().map((p) => `Normal SuccessfulCreate Created pod: ${p.metadata.name}`).sort());

    // The next sync sees its pods: nothing to create, and the counts.
    await sync(controller);
    expect(pods()).toHaveLength(2);
    expect(statusCounts()).toEqual({ desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 0, numberAvailable: 0, updatedNumberScheduled: 2, numberMisscheduled: 0, numberUnavailable: 2, observedGeneration: 1 });

    for (const pod of pods()) markRunningReady(env, pod, READY);
    await caughtUp(env, Resources.pods);
    await sync(controller);
    expect(statusCounts()).toMatchObject({ numberReady: 2, numberAvailable: 2, numberUnavailable: 0 });
  });

  it('counts a pod available only minReadySeconds after it became ready', async () => {
    const controller = await start({ nodes: [nodeFixture('w1')], ds: daemonSetFixture('fluentd', { minReadySeconds: 30 }) });
    await sync(controller);
    markRunningReady(env, pods()[0]!, '2026-01-01T00:59:50Z');
    await caughtUp(env, Resources.pods);
    await sync(controller);
    expect(statusCounts()).toMatchObject({ numberReady: 1, numberAvailable: 0 });
    env.clock.step(20_000);
    await sync(controller);
    expect(statusCounts()).toMatchObject({ numberReady: 1, numberAvailable: 1 });
  });

  it('follows the nodes: a node that stops matching loses its pod, a new node gets one', async () => {
    const agent = { 'node-role': 'agent' };
    const controller = await start({ nodes: [nodeFixture('w1', { labels: agent }), nodeFixture('w2', { labels: agent }), nodeFixture('w3')], ds: daemonSetFixture('fluentd', { nodeSelector: agent }) });
    await sync(controller);
    expect(Object.keys(podsByNode()).sort()).toEqual(['w1', 'w2']);
    const onW2 = podsByNode().w2!;

    env.server.write(Resources.nodes, 'MODIFIED', nodeFixture('w2'));
    env.server.write(Resources.nodes, 'ADDED', nodeFixture('w4', { labels: agent }));
    await caughtUp(env, Resources.nodes);
    await sync(controller);

    expect(Object.keys(podsByNode()).sort()).toEqual(['w1', 'w4']);
    expect(await env.events()).toContain(`Normal SuccessfulDelete Deleted pod: ${onW2.metadata.name}`);
  });

  it('leaves a pod on a node that became tainted NoSchedule (misscheduled), deletes it for an untolerated NoExecute taint', async () => {
    const controller = await start({ nodes: [nodeFixture('w1')], ds: daemonSetFixture('fluentd') });
    await sync(controller);
    env.server.write(Resources.nodes, 'MODIFIED', nodeFixture('w1', { taints: [{ key: 'maintenance', effect: 'NoSchedule' }] }));
    await caughtUp(env, Resources.nodes);
    await sync(controller);
    expect(pods()).toHaveLength(1);
    expect(statusCounts()).toMatchObject({ desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 1 });

    env.server.write(Resources.nodes, 'MODIFIED', nodeFixture('w1', { taints: [{ key: 'maintenance', effect: 'NoExecute' }] }));
    await caughtUp(env, Resources.nodes);
    await sync(controller);
    expect(pods()).toHaveLength(0);
  });

  it('deletes duplicate pods on a node, keeping the oldest', async () => {
    const fluentd = daemonSetFixture('fluentd');
    const controller = await start({ nodes: [nodeFixture('w1')], ds: fluentd });
    await sync(controller);
    const first = pods()[0]!;
    env.server.write(Resources.pods, 'ADDED', daemonPodFixture('fluentd-extra', { node: 'w1', owner: fluentd, labels: { app: 'fluentd' }, hash: hashOf(first), created: '2099-01-01T00:00:00Z' }));
    await caughtUp(env, Resources.pods);
    await sync(controller);
    expect(pods().map((p) => p.metadata.name)).toEqual([first.metadata.name]);
  });

  it('deletes a failed pod with an event, and recreates it', async () => {
    const controller = await start({ nodes: [nodeFixture('w1')], ds: daemonSetFixture('fluentd') });
    await sync(controller);
    const failed = pods()[0]!;
    env.server.write(Resources.pods, 'MODIFIED', { ...failed, status: { phase: 'Failed' } });
    await caughtUp(env, Resources.pods);
    await sync(controller);
    expect(pods()).toHaveLength(0);
    const events = await env.events();
    expect(events).toContain(`Warning FailedDaemonPod Found failed daemon pod default/${failed.metadata.name} on node w1, will try to kill it`);
    expect(events).toContain(`Normal SuccessfulDelete Deleted pod: ${failed.metadata.name}`);
    await sync(controller);
    expect(pods()).toHaveLength(1);
    expect(pods()[0]!.metadata.name).not.toBe(failed.metadata.name);
  });

  it('adopts an orphan that its selector matches instead of creating another', async () => {
    // OnDelete: with RollingUpdate the adopted pod, not of the current revision and not available, would be replaced.
    const orphan = daemonPodFixture('fluentd-orphan', { node: 'w1', labels: { app: 'fluentd' } });
    const controller = await start({ nodes: [nodeFixture('w1'), nodeFixture('w2')], ds: daemonSetFixture('fluentd', { updateStrategy: { type: 'OnDelete' } }), pods: [orphan] });
    await sync(controller);
    expect(Object.keys(podsByNode()).sort()).toEqual(['w1', 'w2']);
    expect(podsByNode().w1!.metadata).toMatchObject({ name: 'fluentd-orphan', ownerReferences: [{ kind: 'DaemonSet', name: 'fluentd', uid: 'uid-fluentd', controller: true }] });
  });

  it('RollingUpdate replaces one pod at a time (maxUnavailable 1), waiting for each new pod to be ready', async () => {
    const controller = await start({ nodes: [nodeFixture('w1'), nodeFixture('w2'), nodeFixture('w3')], ds: daemonSetFixture('fluentd') });
    await rollOut(controller);
    const oldHash = hashOf(pods()[0]!);

    editTemplate((d) => (d.spec.template!.spec!.containers = [{ name: 'agent', image: 'fluentd:2' }]));
    await caughtUp(env, Resources.daemonsets);
    await sync(controller);
    expect(revisions().map((r) => r.revision).sort()).toEqual([1, 2]);
    const newHash = hashOf(revisions().find((r) => r.revision === 2)!)!;
    expect(newHash).not.toBe(oldHash);
    // The old pod on w1 (first in node order) goes; the others stay.
    expect(Object.keys(podsByNode()).sort()).toEqual(['w2', 'w3']);

    await sync(controller);
    expect(hashOf(podsByNode().w1!)).toBe(newHash);
    expect(podsByNode().w1!.spec?.containers).toEqual([{ name: 'agent', image: 'fluentd:2' }]);
    // The new pod is not ready: no other old pod may go.
    await sync(controller);
    expect(Object.values(podsByNode()).map(hashOf).sort()).toEqual([newHash, oldHash, oldHash].sort());
    expect(statusCounts()).toMatchObject({ updatedNumberScheduled: 1, numberAvailable: 2, observedGeneration: 2 });

    markRunningReady(env, podsByNode().w1!, READY);
    await caughtUp(env, Resources.pods);
    await sync(controller);
    expect(Object.keys(podsByNode()).sort()).toEqual(['w1', 'w3']);
  });

  it('OnDelete replaces a pod only when it is deleted', async () => {
    const controller = await start({ nodes: [nodeFixture('w1'), nodeFixture('w2')], ds: daemonSetFixture('fluentd', { updateStrategy: { type: 'OnDelete' } }) });
    await rollOut(controller);
    const before = pods().map((p) => p.metadata.name).sort();

    editTemplate((d) => (d.spec.template!.spec!.containers = [{ name: 'agent', image: 'fluentd:2' }]));
    await caughtUp(env, Resources.daemonsets);
    await sync(controller);
    await sync(controller);
    expect(pods().map((p) => p.metadata.name).sort()).toEqual(before);
    expect(statusCounts()).toMatchObject({ updatedNumberScheduled: 0, numberReady: 2 });

    env.server.write(Resources.pods, 'DELETED', podsByNode().w2!);
    await caughtUp(env, Resources.pods);
    await sync(controller);
    const newHash = hashOf(revisions().find((r) => r.revision === 2)!);
    expect(hashOf(podsByNode().w2!)).toBe(newHash);
    expect(statusCounts()).toMatchObject({ updatedNumberScheduled: 1 });
  });

  it('going back to an earlier template renumbers its revision instead of recording a new one', async () => {
    const controller = await start({ nodes: [nodeFixture('w1')], ds: daemonSetFixture('fluentd', { updateStrategy: { type: 'OnDelete' } }) });
    await sync(controller);
    const first = revisions()[0]!;
    editTemplate((d) => (d.spec.template!.spec!.containers = [{ name: 'agent', image: 'fluentd:2' }]));
    await caughtUp(env, Resources.daemonsets);
    await sync(controller);
    editTemplate((d) => (d.spec.template!.spec!.containers = [{ name: 'agent', image: 'fluentd:1' }]));
    await caughtUp(env, Resources.daemonsets);
    await sync(controller);
    const second = revisions().find((r) => r.metadata.name !== first.metadata.name)!;
    expect(revisions()).toHaveLength(2);
    expect(Object.fromEntries(revisions().map((r) => [r.metadata.name, r.revision]))).toEqual({ [first.metadata.name!]: 3, [second.metadata.name!]: 2 });
  });

  it('keeps revisionHistoryLimit old revisions, never one a pod still runs', async () => {
    const controller = await start({ nodes: [nodeFixture('w1')], ds: daemonSetFixture('fluentd', { updateStrategy: { type: 'OnDelete' }, revisionHistoryLimit: 0 }) });
    await sync(controller);
    editTemplate((d) => (d.spec.template!.spec!.containers = [{ name: 'agent', image: 'fluentd:2' }]));
    await caughtUp(env, Resources.daemonsets);
    await sync(controller);
    // The pod on w1 still runs revision 1.
    expect(revisions().map((r) => r.revision).sort()).toEqual([1, 2]);

    env.server.write(Resources.pods, 'DELETED', pods()[0]!);
    await caughtUp(env, Resources.pods);
    await sync(controller);
    await sync(controller);
    expect(revisions().map((r) => r.revision)).toEqual([2]);
  });

  it('refuses a selector that selects every pod', async () => {
    const everything = daemonSetFixture('fluentd');
    everything.spec.selector = {};
    const controller = await start({ nodes: [nodeFixture('w1')], ds: everything });
    await sync(controller);
    expect(pods()).toHaveLength(0);
    expect(await env.events()).toEqual(['Warning SelectingAll This daemon set is selecting all pods. A non-empty selector is required.']);
  });

  it('does nothing for a DaemonSet being deleted, or one that is gone', async () => {
    const deleting = daemonSetFixture('fluentd');
    deleting.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    const controller = await start({ nodes: [nodeFixture('w1')], ds: deleting });
    await sync(controller);
    await sync(controller, 'default/gone');
    expect(pods()).toHaveLength(0);
    expect(revisions()).toHaveLength(0);
  });
});
