import { Resources } from '@kubelab/client';
import type { TestEnv } from '../../controller/testing';
import type { Pod, StatefulSet, StatefulSetSpec } from './types';

/** Fixtures for the StatefulSet controller's tests. */

export function statefulSetFixture(name: string, f: Partial<StatefulSetSpec> & { generation?: number; status?: StatefulSet['status'] } = {}): StatefulSet {
  const { generation, status, ...spec } = f;
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: generation ?? 1, creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: {
      replicas: 3,
      serviceName: 'nginx',
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      revisionHistoryLimit: 10,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } },
      ...spec,
    },
    status: status ?? { replicas: 0, availableReplicas: 0 },
  };
}

/** Writes a pod's status as a kubelet would: Running and Ready since `since` (and bound, if `node`). */
export function markRunningReady(env: TestEnv, pod: Pod, since: string, node?: string): void {
  env.server.write(Resources.pods, 'MODIFIED', {
    ...pod,
    ...(node ? { spec: { ...pod.spec, nodeName: node } } : {}),
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: since }] },
  });
}

/** What the apiserver does to a new pod that the fake does not: status.phase Pending. */
export function admitNewPods(env: TestEnv): void {
  for (const pod of env.objects('/pods') as Pod[]) if (!pod.status?.phase) env.server.write(Resources.pods, 'MODIFIED', { ...pod, status: { phase: 'Pending' } });
}
