import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@kubelab/client';
import { deploymentFixture } from '../../controller/testing-workloads';
import type { DeploymentSync } from './deployment-sync';
import { reconcileOldReplicaSets } from './rolling';

function replicaSet(name: string, replicas: number, availableReplicas: number, created: string): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: 'default', creationTimestamp: created }, spec: { replicas }, status: { replicas: availableReplicas, availableReplicas } };
}

/** A sync whose scaling only records what was asked. */
function recordingSync(d: KubeObject): { sync: DeploymentSync; scaled: Array<[string, number]> } {
  const scaled: Array<[string, number]> = [];
  const sync = {
    d,
    scaleReplicaSet: async (rs: KubeObject, replicas: number) => {
      scaled.push([rs.metadata.name!, replicas]);
      return { scaled: true, rs: { ...rs, spec: { ...rs.spec, replicas } } };
    },
  } as unknown as DeploymentSync;
  return { sync, scaled };
}

describe('reconcileOldReplicaSets', () => {
  it('never scales an old ReplicaSet up: one whose status still counts more available pods than its new size stops the step', async () => {
    // Just after `kubectl scale` mid-rollout: the old ReplicaSet was cut to 4, its status still says 8.
    const { sync, scaled } = recordingSync(deploymentFixture('web', { replicas: 5 }));
    const old = replicaSet('web-old', 4, 8, '2026-01-01T00:00:00Z');
    const next = replicaSet('web-new', 3, 5, '2026-01-01T00:01:00Z');
    expect(await reconcileOldReplicaSets(sync, [old, next], [old], next)).toBe(false);
    expect(scaled).toEqual([]);
  });

  it('scales unhealthy pods of old ReplicaSets down first', async () => {
    const { sync, scaled } = recordingSync(deploymentFixture('web', { replicas: 4 }));
    const old = replicaSet('web-old', 4, 2, '2026-01-01T00:00:00Z');
    const next = replicaSet('web-new', 1, 1, '2026-01-01T00:01:00Z');
    expect(await reconcileOldReplicaSets(sync, [old, next], [old], next)).toBe(true);
    expect(scaled[0]).toEqual(['web-old', 2]);
  });
});
