import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Resources, type KubeObject } from '@kubelab/client';
import { waitFor } from '@kubelab/component-base';
import { editSpec, markRunningReady, testEnv, type TestEnv } from '../../controller/testing';
import { deploymentFixture } from '../../controller/testing-workloads';
import { ReplicaSetController } from '../replicaset/replica-set-controller';
import { DeploymentController } from './deployment-controller';

/**
 * The Deployment and ReplicaSet controllers running together, as in the controller-manager, with
 * a stand-in kubelet that binds every pod, makes it Ready, and removes the pods being deleted.
 */
describe('Deployment and ReplicaSet controllers together', () => {
  let env: TestEnv;
  let stop: AbortController;
  let running: Promise<unknown>;

  beforeEach(async () => {
    env = await testEnv();
    stop = new AbortController();
    const controllers = [new DeploymentController(env.ctx), new ReplicaSetController(env.ctx)];
    env.ctx.informers.start();
    running = Promise.all(controllers.map((c) => c.run(stop.signal)));
  });
  afterEach(async () => {
    stop.abort();
    await running;
    await env.close();
  });

  const deployment = () => env.server.objects.get('apps/deployments/default/web')!;
  const pods = () => env.objects('/pods', 'default');

  /** One round of the stand-in kubelets; the clock moves 100 ms so that retries with back-off come round. */
  function kubelets(): void {
    for (const pod of pods()) {
      if (pod.metadata.deletionTimestamp) env.server.write(Resources.pods, 'DELETED', pod);
      else if (!pod.status?.conditions) markRunningReady(env, pod, new Date(env.clock.now()).toISOString(), 'node-1');
    }
    env.clock.step(100);
  }

  /** What `kubectl rollout status` waits for (DeploymentStatusViewer). */
  function rolledOut(d: KubeObject): boolean {
    const s = (d.status ?? {}) as { observedGeneration?: number; updatedReplicas?: number; replicas?: number; availableReplicas?: number };
    const replicas = Number(d.spec!.replicas);
    return (d.metadata.generation ?? 0) <= (s.observedGeneration ?? 0) && s.updatedReplicas === replicas && s.replicas === s.updatedReplicas && (s.availableReplicas ?? 0) >= (s.updatedReplicas ?? 0);
  }

  async function untilRolledOut(): Promise<void> {
    await waitFor(
      () => {
        kubelets();
        return rolledOut(deployment()) && pods().length === Number(deployment().spec!.replicas);
      },
      { timeoutMs: 20_000, intervalMs: 20, what: 'the rollout' },
    );
  }

  it('rolls out, then rolls a new image out, keeping the old ReplicaSet at 0', async () => {
    env.server.write(Resources.deployments, 'ADDED', deploymentFixture('web', { replicas: 3, image: 'nginx:1.24' }));
    await untilRolledOut();
    expect(deployment().status).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    const [first] = env.objects('apps/replicasets', 'default');
    expect(pods().every((p) => p.metadata.name!.startsWith(`${first!.metadata.name}-`))).toBe(true);

    editSpec(env, Resources.deployments, deployment(), (d) => {
      (d.spec!.template as { spec: { containers: Array<{ image: string }> } }).spec.containers[0]!.image = 'nginx:1.25';
    });
    await untilRolledOut();

    const replicaSets = env.objects('apps/replicasets', 'default');
    expect(replicaSets.map((rs) => [rs.metadata.annotations?.['deployment.kubernetes.io/revision'], rs.spec!.replicas]).sort()).toEqual([
      ['1', 0],
      ['2', 3],
    ]);
    const conditions = deployment().status!.conditions as Array<{ type: string; reason: string }>;
    expect(conditions.map((c) => `${c.type}=${c.reason}`)).toEqual(['Available=MinimumReplicasAvailable', 'Progressing=NewReplicaSetAvailable']);
    const events = await env.events();
    expect(events.filter((e) => e.includes('ScalingReplicaSet')).length).toBeGreaterThanOrEqual(4);
  });
});
