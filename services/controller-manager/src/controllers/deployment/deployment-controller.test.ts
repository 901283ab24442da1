import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, failureStatus } from '@kubelab/apimachinery';
import { isConflict, Resources, type KubeObject } from '@kubelab/client';
import { computeHash } from '../../controller/pod-template-hash';
import { caughtUp, editSpec, startController, testEnv, type Fixture, type TestEnv } from '../../controller/testing';
import { podFixture } from '../../controller/testing-objects';
import { deploymentFixture, deploymentTemplate, replicaSetFixture } from '../../controller/testing-workloads';
import { DeploymentController } from './deployment-controller';

const hashOf = (image: string) => computeHash(deploymentTemplate('web', image));
const rsName = (image: string) => `web-${hashOf(image)}`;

/** A ReplicaSet of `d` for `image`, as the controller made it, its pods all available. */
function ownedReplicaSet(d: KubeObject, image: string, f: { replicas: number; revision: number; created?: string; available?: number; desired?: number; maxReplicas?: number }): KubeObject {
  const hash = hashOf(image);
  const labels = { app: 'web', 'pod-template-hash': hash };
  const available = f.available ?? f.replicas;
  return replicaSetFixture(`web-${hash}`, {
    replicas: f.replicas,
    owner: d,
    labels,
    created: f.created ?? '2025-12-01T00:00:00Z',
    annotations: { 'deployment.kubernetes.io/revision': String(f.revision), 'deployment.kubernetes.io/desired-replicas': String(f.desired ?? 3), 'deployment.kubernetes.io/max-replicas': String(f.maxReplicas ?? 4) },
    template: { metadata: { labels }, spec: { containers: [{ name: 'web', image }] } },
    status: { replicas: f.replicas, ...(available ? { readyReplicas: available, availableReplicas: available } : {}), observedGeneration: 1 },
  });
}

describe('DeploymentController', () => {
  let env: TestEnv;
  let controller: DeploymentController;
  const replicaSets = () => env.objects('apps/replicasets', 'default');
  const replicaSet = (name: string) => env.server.objects.get(`apps/replicasets/default/${name}`);
  const deployment = () => env.server.objects.get('apps/deployments/default/web')!;
  const settle = () => caughtUp(env, Resources.deployments, Resources.replicasets, Resources.pods);

  beforeEach(async () => {
    env = await testEnv();
  });
  afterEach(async () => {
    await env.close();
  });

  async function start(...fixtures: Fixture[]): Promise<void> {
    controller = await startController(env, (ctx) => new DeploymentController(ctx), fixtures);
  }

  /** Reconciles once all earlier writes have come back through the informers. */
  async function sync(): Promise<void> {
    await settle();
    await controller.reconcile('default/web');
  }

  /** What the ReplicaSet controller (and kubelets) would report: every ReplicaSet has its pods, `available` of them available (all by default). */
  function observeReplicaSets(available: (rs: KubeObject) => number = (rs) => Number(rs.spec!.replicas)): void {
    for (const rs of replicaSets()) {
      const replicas = Number(rs.spec!.replicas);
      const ready = available(rs);
      env.server.write(Resources.replicasets, 'MODIFIED', { ...rs, status: { replicas, ...(ready ? { readyReplicas: ready, availableReplicas: ready } : {}), observedGeneration: rs.metadata.generation ?? 0 } });
    }
  }

  /** A change of the Deployment's spec, as `kubectl` would make it (generation + 1). */
  const editDeployment = (change: (d: KubeObject) => void) => editSpec(env, Resources.deployments, deployment(), change);

  const condition = (type: string) => (deployment().status?.conditions as Array<Record<string, string>> | undefined)?.find((c) => c.type === type);

  it('creates the ReplicaSet <name>-<pod-template-hash> with the hash label, revision 1, and reports the rollout', async () => {
    const d = deploymentFixture('web', { replicas: 3, image: 'nginx:1.24' });
    await start([Resources.deployments, d]);
    await sync();
    const hash = hashOf('nginx:1.24');
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    const rs = replicaSet(`web-${hash}`)!;
    expect(rs.metadata.labels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }]);
    expect(rs.metadata.annotations).toEqual({ 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' });
    expect(rs.spec).toEqual({
      replicas: 3,
      selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } },
      template: { metadata: { labels: { app: 'web', 'pod-template-hash': hash } }, spec: { containers: [{ name: 'web', image: 'nginx:1.24' }] } },
    });
    expect(deployment().metadata.annotations).toEqual({ 'deployment.kubernetes.io/revision': '1' });
    expect(condition('Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetCreated', message: `Created new replica set "web-${hash}"` });
    expect(await env.events()).toEqual([`Normal ScalingReplicaSet Scaled up replica set web-${hash} from 0 to 3`]);

    observeReplicaSets();
    await sync();
    expect(deployment().status).toEqual({
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      conditions: [
        // A changed condition goes to the end: Available, then Progressing, as `kubectl describe` lists them.
        { type: 'Available', status: 'True', lastUpdateTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' },
        { type: 'Progressing', status: 'True', lastUpdateTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "web-${hash}" has successfully progressed.` },
      ],
    });
  });

  describe('RollingUpdate, 3 replicas, maxSurge 25% (1) and maxUnavailable 25% (0): at most 4 pods, at least 3 available', () => {
    // After each sync the ReplicaSets report all their pods available: one step per sync.
    const steps: Array<[string, number, number, string?]> = [
      // what happens, new RS replicas, old RS replicas, event
      ['the new ReplicaSet is created with the one surge pod', 1, 3, `Scaled up replica set ${rsName('nginx:1.25')} from 0 to 1`],
      ['the old one gives up a pod', 1, 2, `Scaled down replica set ${rsName('nginx:1.24')} from 3 to 2`],
      ['the new one takes it', 2, 2, `Scaled up replica set ${rsName('nginx:1.25')} from 1 to 2`],
      ['the old one gives up another', 2, 1, `Scaled down replica set ${rsName('nginx:1.24')} from 2 to 1`],
      ['the new one is full', 3, 1, `Scaled up replica set ${rsName('nginx:1.25')} from 2 to 3`],
      ['the old one is empty (and kept)', 3, 0, `Scaled down replica set ${rsName('nginx:1.24')} from 1 to 0`],
      ['complete: nothing moves', 3, 0],
    ];

    it('moves one step per sync', async () => {
      const d = deploymentFixture('web', { replicas: 3, image: 'nginx:1.24', annotations: { 'deployment.kubernetes.io/revision': '1' } });
      await start([Resources.deployments, d], [Resources.replicasets, ownedReplicaSet(d, 'nginx:1.24', { replicas: 3, revision: 1 })]);
      editDeployment((x) => ((x.spec!.template as { spec: { containers: Array<{ image: string }> } }).spec.containers[0]!.image = 'nginx:1.25'));
      let eventsBefore = 0;
      for (const [what, newReplicas, oldReplicas, event] of steps) {
        await sync();
        const [newRS, oldRS] = [replicaSet(rsName('nginx:1.25')), replicaSet(rsName('nginx:1.24'))!];
        expect([newRS?.spec?.replicas, oldRS.spec?.replicas], what).toEqual([newReplicas, oldReplicas]);
        // Never more than 4 pods asked for, never fewer than 3 available (as last reported).
        expect(newReplicas + oldReplicas, what).toBeLessThanOrEqual(4);
        const available = replicaSets().reduce((sum, rs) => sum + Math.min(Number(rs.spec!.replicas), Number(rs.status?.availableReplicas ?? 0)), 0);
        expect(available, what).toBeGreaterThanOrEqual(3);
        const events = await env.events();
        expect(events.slice(eventsBefore), what).toEqual(event ? [`Normal ScalingReplicaSet ${event}`] : []);
        eventsBefore = events.length;
        observeReplicaSets();
      }
      await sync();
      expect(replicaSet(rsName('nginx:1.25'))!.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
      expect(deployment().metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
      expect(deployment().status).toMatchObject({ observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3 });
      expect(condition('Progressing')).toMatchObject({ reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsName('nginx:1.25')}" has successfully progressed.` });
    });

    it('does not scale the old ReplicaSet down while the new pods are not available', async () => {
      const d = deploymentFixture('web', { replicas: 3, image: 'nginx:1.24' });
      await start([Resources.deployments, d], [Resources.replicasets, ownedReplicaSet(d, 'nginx:1.24', { replicas: 3, revision: 1 })]);
      editDeployment((x) => ((x.spec!.template as { spec: { containers: Array<{ image: string }> } }).spec.containers[0]!.image = 'nginx:1.25'));
      for (let i = 0; i < 3; i++) {
        await sync();
        observeReplicaSets((rs) => (rs.metadata.name === rsName('nginx:1.25') ? 0 : Number(rs.spec!.replicas)));
      }
      expect([replicaSet(rsName('nginx:1.25'))!.spec!.replicas, replicaSet(rsName('nginx:1.24'))!.spec!.replicas]).toEqual([1, 3]);
      expect(condition('Progressing')).toMatchObject({ reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rsName('nginx:1.25')}" is progressing.` });
    });
  });

  it('reports ProgressDeadlineExceeded once progressDeadlineSeconds pass without progress', async () => {
    const d = deploymentFixture('web', { replicas: 3, image: 'nginx:1.24', progressDeadlineSeconds: 600 });
    await start([Resources.deployments, d]);
    await sync();
    observeReplicaSets(() => 0);
    await sync();
    env.clock.step(599_000);
    await sync();
    expect(condition('Progressing')).toMatchObject({ status: 'True' });
    env.clock.step(2_000);
    await sync();
    expect(condition('Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${rsName('nginx:1.24')}" has timed out progressing.` });
    expect(condition('Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' });
  });

  it('Recreate: scales the old ReplicaSet to 0, waits for its pods to be gone, then creates the new one full size', async () => {
    const d = deploymentFixture('web', { replicas: 3, image: 'nginx:1.24', strategy: { type: 'Recreate' } });
    const old = ownedReplicaSet(d, 'nginx:1.24', { replicas: 3, revision: 1, maxReplicas: 3 });
    await start([Resources.deployments, d], [Resources.replicasets, old], [Resources.pods, podFixture('web-old-1', { owner: old, labels: old.metadata.labels })]);
    editDeployment((x) => ((x.spec!.template as { spec: { containers: Array<{ image: string }> } }).spec.containers[0]!.image = 'nginx:1.25'));
    await sync();
    expect(replicaSet(rsName('nginx:1.24'))!.spec!.replicas).toBe(0);
    expect(replicaSet(rsName('nginx:1.25'))).toBeUndefined();
    observeReplicaSets();
    // The old ReplicaSet reports no pods, but one is still there (terminating): wait.
    await sync();
    expect(replicaSet(rsName('nginx:1.25'))).toBeUndefined();
    env.server.write(Resources.pods, 'DELETED', env.server.objects.get('/pods/default/web-old-1')!);
    await sync();
    expect(replicaSet(rsName('nginx:1.25'))!.spec!.replicas).toBe(3);
    expect(await env.events()).toEqual([`Normal ScalingReplicaSet Scaled down replica set ${rsName('nginx:1.24')} from 3 to 0`, `Normal ScalingReplicaSet Scaled up replica set ${rsName('nginx:1.25')} from 0 to 3`]);
  });

  it('rollout undo: the old ReplicaSet of the template is reused, with the next revision', async () => {
    const d = deploymentFixture('web', { replicas: 3, image: 'nginx:1.25', annotations: { 'deployment.kubernetes.io/revision': '2' } });
    await start(
      [Resources.deployments, d],
      [Resources.replicasets, ownedReplicaSet(d, 'nginx:1.24', { replicas: 0, revision: 1, created: '2025-12-01T00:00:00Z' })],
      [Resources.replicasets, ownedReplicaSet(d, 'nginx:1.25', { replicas: 3, revision: 2, created: '2025-12-02T00:00:00Z' })],
    );
    // What kubectl rollout undo writes: revision 1's template (hash label removed) into the Deployment.
    editDeployment((x) => (x.spec!.template = deploymentTemplate('web', 'nginx:1.24')));
    const update = env.client.update.bind(env.client);
    let conflicts = 0;
    vi.spyOn(env.client, 'update').mockImplementation((gvr, object, options) => update(gvr, object, options).catch((error: unknown) => Promise.reject(isConflict(error) ? (conflicts++, error) : error)));
    await sync();
    expect(replicaSets()).toHaveLength(2);
    const reused = replicaSet(rsName('nginx:1.24'))!;
    expect(reused.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1' });
    for (let i = 0; i < 8; i++) {
      observeReplicaSets();
      await sync();
    }
    expect(replicaSets()).toHaveLength(2);
    expect([replicaSet(rsName('nginx:1.24'))!.spec!.replicas, replicaSet(rsName('nginx:1.25'))!.spec!.replicas]).toEqual([3, 0]);
    expect(deployment().metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    expect(condition('Progressing')).toMatchObject({ reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsName('nginx:1.24')}" has successfully progressed.` });
    // Each step writes on what the step before wrote, not on the stale cache.
    expect(conflicts).toBe(0);
  });

  it('keeps revisionHistoryLimit old ReplicaSets, deleting the oldest revisions that are scaled down', async () => {
    const d = deploymentFixture('web', { replicas: 3, image: 'nginx:1.27', revisionHistoryLimit: 1, annotations: { 'deployment.kubernetes.io/revision': '4' } });
    const images = ['nginx:1.24', 'nginx:1.25', 'nginx:1.26'];
    await start(
      [Resources.deployments, d],
      ...images.map((image, i): Fixture => [Resources.replicasets, ownedReplicaSet(d, image, { replicas: 0, revision: i + 1, created: `2025-12-0${i + 1}T00:00:00Z` })]),
      [Resources.replicasets, ownedReplicaSet(d, 'nginx:1.27', { replicas: 3, revision: 4, created: '2025-12-09T00:00:00Z' })],
    );
    await sync();
    expect(replicaSets()).toHaveLength(4);
    // Cleanup waits for a status that says the rollout is complete.
    await sync();
    expect(replicaSets().map((rs) => rs.metadata.name).sort()).toEqual([rsName('nginx:1.26'), rsName('nginx:1.27')].sort());
  });

  it('paused: no new ReplicaSet for a new template, Progressing Unknown; resumed: the rollout starts', async () => {
    const d = deploymentFixture('web', { replicas: 3, image: 'nginx:1.24' });
    await start([Resources.deployments, d], [Resources.replicasets, ownedReplicaSet(d, 'nginx:1.24', { replicas: 3, revision: 1 })]);
    editDeployment((x) => {
      x.spec!.paused = true;
      (x.spec!.template as { spec: { containers: Array<{ image: string }> } }).spec.containers[0]!.image = 'nginx:1.25';
    });
    await sync();
    expect(replicaSets()).toHaveLength(1);
    expect(condition('Progressing')).toMatchObject({ status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' });
    // Scaling still works while paused.
    editDeployment((x) => (x.spec!.replicas = 5));
    await sync();
    expect(replicaSet(rsName('nginx:1.24'))!.spec!.replicas).toBe(5);
    editDeployment((x) => (x.spec!.paused = false));
    await sync();
    expect(replicaSet(rsName('nginx:1.25'))?.spec?.replicas).toBe(2);
    expect(condition('Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetCreated' });
    const events = await env.events();
    expect(events).toContain(`Normal ScalingReplicaSet Scaled up replica set ${rsName('nginx:1.24')} from 3 to 5`);
  });

  it('a scaling event during a rollout is spread over the ReplicaSets in proportion', async () => {
    const d = deploymentFixture('web', { replicas: 3, image: 'nginx:1.25' });
    await start(
      [Resources.deployments, d],
      [Resources.replicasets, ownedReplicaSet(d, 'nginx:1.24', { replicas: 3, revision: 1 })],
      [Resources.replicasets, ownedReplicaSet(d, 'nginx:1.25', { replicas: 1, revision: 2, available: 0, created: '2025-12-02T00:00:00Z' })],
    );
    // 6 replicas, 25%: 8 pods at most, 4 more: 3 to the old ReplicaSet (3 of 4), 1 to the new one.
    editDeployment((x) => (x.spec!.replicas = 6));
    await sync();
    expect([replicaSet(rsName('nginx:1.24'))!.spec!.replicas, replicaSet(rsName('nginx:1.25'))!.spec!.replicas]).toEqual([6, 2]);
    expect(replicaSet(rsName('nginx:1.24'))!.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/desired-replicas': '6', 'deployment.kubernetes.io/max-replicas': '8' });
  });

  it('adopts an orphan ReplicaSet it selects and releases its own that it no longer selects', async () => {
    const d = deploymentFixture('web', { replicas: 1, image: 'nginx:1.24' });
    const orphan = { ...ownedReplicaSet(d, 'nginx:1.24', { replicas: 1, revision: 1, desired: 1, maxReplicas: 2 }) };
    delete orphan.metadata.ownerReferences;
    const strayed = replicaSetFixture('web-strayed', { owner: d, labels: { app: 'other' }, replicas: 0 });
    await start([Resources.deployments, d], [Resources.replicasets, orphan], [Resources.replicasets, strayed]);
    await sync();
    expect(replicaSet(rsName('nginx:1.24'))!.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }]);
    expect(replicaSet('web-strayed')!.metadata.ownerReferences).toEqual([]);
    // The adopted ReplicaSet has the template: no new one.
    expect(replicaSets()).toHaveLength(2);
  });

  it('a Deployment selecting everything only gets a warning', async () => {
    const d = deploymentFixture('web', { selector: {}, generation: 2 });
    await start([Resources.deployments, d]);
    await sync();
    expect(replicaSets()).toHaveLength(0);
    expect(deployment().status).toEqual({ observedGeneration: 2 });
    expect(await env.events()).toEqual(['Warning SelectingAll This deployment is selecting all pods. A non-empty selector is required.']);
  });

  it('rollout restart: a new template annotation makes a new ReplicaSet', async () => {
    const d = deploymentFixture('web', { replicas: 1, image: 'nginx:1.24' });
    await start([Resources.deployments, d], [Resources.replicasets, ownedReplicaSet(d, 'nginx:1.24', { replicas: 1, revision: 1, desired: 1, maxReplicas: 2 })]);
    editDeployment((x) => ((x.spec!.template as { metadata: Record<string, unknown> }).metadata.annotations = { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:00Z' }));
    await sync();
    expect(replicaSets()).toHaveLength(2);
    const fresh = replicaSets().find((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision'] === '2')!;
    expect((fresh.spec!.template as { metadata: { annotations: Record<string, string> } }).metadata.annotations).toEqual({ 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:00Z' });
    expect(fresh.metadata.name).not.toBe(rsName('nginx:1.24'));
  });

  it('a scaling event scales the one active ReplicaSet at once', async () => {
    const d = deploymentFixture('web', { replicas: 5, image: 'nginx:1.24' });
    await start([Resources.deployments, d], [Resources.replicasets, ownedReplicaSet(d, 'nginx:1.24', { replicas: 3, revision: 1 })]);
    await sync();
    expect(replicaSet(rsName('nginx:1.24'))!.spec!.replicas).toBe(5);
    expect(replicaSet(rsName('nginx:1.24'))!.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/desired-replicas': '5', 'deployment.kubernetes.io/max-replicas': '7' });
    expect(await env.events()).toEqual([`Normal ScalingReplicaSet Scaled up replica set ${rsName('nginx:1.24')} from 3 to 5`]);
  });

  it('a hash collision bumps status.collisionCount, and the next sync uses another name', async () => {
    const d = deploymentFixture('web', { replicas: 1, image: 'nginx:1.24' });
    const stranger = replicaSetFixture(rsName('nginx:1.24'), { owner: deploymentFixture('other'), labels: { app: 'other' } });
    await start([Resources.deployments, d], [Resources.replicasets, stranger]);
    await expect(controller.reconcile('default/web')).rejects.toThrow(/already exists/);
    expect(deployment().status).toMatchObject({ collisionCount: 1 });
    await sync();
    const name = `web-${computeHash(deploymentTemplate('web', 'nginx:1.24'), 1)}`;
    expect(name).not.toBe(rsName('nginx:1.24'));
    expect(replicaSet(name)?.spec?.replicas).toBe(1);
  });

  it('a refused ReplicaSet create: ReplicaSetCreateError in Progressing and an event', async () => {
    await start([Resources.deployments, deploymentFixture('web', { replicas: 1, image: 'nginx:1.24' })]);
    const create = env.client.create.bind(env.client);
    vi.spyOn(env.client, 'create').mockImplementation((gvr, object, options) =>
      gvr.resource === 'replicasets' ? Promise.reject(new ApiError(failureStatus(403, 'Forbidden', 'replicasets.apps "web" is forbidden: quota'))) : create(gvr, object, options),
    );
    await expect(controller.reconcile('default/web')).rejects.toThrow(/quota/);
    const message = `Failed to create new replica set "${rsName('nginx:1.24')}": replicasets.apps "web" is forbidden: quota`;
    expect(condition('Progressing')).toMatchObject({ status: 'False', reason: 'ReplicaSetCreateError', message });
    expect(await env.events()).toEqual([`Warning ReplicaSetCreateError ${message}`]);
  });
});
