// The strategic merge patches kubectl v1.32 sends, applied to live objects.
import { describe, expect, it } from 'vitest';
import type { JsonObject } from './json-value';
import { strategicMergePatch } from './strategic-merge-patch';

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"old":true}\n' } },
  spec: {
    replicas: 2,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'nginx:1.26',
            ports: [{ containerPort: 80, protocol: 'TCP' }],
            env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }],
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
          },
          { name: 'sidecar', image: 'envoy:1.30' },
        ],
        volumes: [{ name: 'data', emptyDir: {} }],
        tolerations: [{ key: 'a', operator: 'Exists' }],
      },
    },
  },
  status: { conditions: [{ type: 'Available', status: 'True' }, { type: 'Progressing', status: 'True' }] },
};

/** A deep copy of `object` changed by `change`: the expected result, written as an edit. */
function edited(object: object, change: (copy: any) => void): JsonObject {
  const copy = structuredClone(object) as JsonObject;
  change(copy);
  return copy;
}

const template = (spec: JsonObject): JsonObject => ({ spec: { template: { spec } } });

describe('kubectl apply (client-side) on a Deployment', () => {
  it.each<[string, JsonObject, JsonObject]>([
    [
      "changing one container's image among two",
      {
        metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"new":true}\n' } },
        ...template({
          '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }],
          containers: [{ image: 'nginx:1.27', name: 'web' }],
        }),
      },
      edited(deployment, (d) => {
        d.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'] = '{"new":true}\n';
        d.spec.template.spec.containers[0].image = 'nginx:1.27';
      }),
    ],
    [
      'adding an env var by name',
      template({
        '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }],
        containers: [{ '$setElementOrder/env': [{ name: 'A' }, { name: 'B' }, { name: 'C' }], env: [{ name: 'C', value: '3' }], name: 'web' }],
      }),
      edited(deployment, (d) => d.spec.template.spec.containers[0].env.push({ name: 'C', value: '3' })),
    ],
    [
      'removing an env var by name',
      template({
        '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }],
        containers: [{ '$setElementOrder/env': [{ name: 'A' }], env: [{ $patch: 'delete', name: 'B' }], name: 'web' }],
      }),
      edited(deployment, (d) => d.spec.template.spec.containers[0].env.pop()),
    ],
    [
      'removing a container with $patch: delete',
      template({ '$setElementOrder/containers': [{ name: 'web' }], containers: [{ $patch: 'delete', name: 'sidecar' }] }),
      edited(deployment, (d) => d.spec.template.spec.containers.pop()),
    ],
    [
      'reordering the containers with $setElementOrder',
      template({ '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'web' }] }),
      edited(deployment, (d) => d.spec.template.spec.containers.reverse()),
    ],
    [
      'adding a container between two',
      template({
        '$setElementOrder/containers': [{ name: 'web' }, { name: 'cache' }, { name: 'sidecar' }],
        containers: [{ image: 'redis:7', name: 'cache' }],
      }),
      edited(deployment, (d) => d.spec.template.spec.containers.splice(1, 0, { image: 'redis:7', name: 'cache' })),
    ],
    [
      'adding a port and a volume mount (merged by containerPort and mountPath)',
      template({
        '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }],
        containers: [
          {
            '$setElementOrder/ports': [{ containerPort: 80 }, { containerPort: 443 }],
            ports: [{ containerPort: 443, protocol: 'TCP' }],
            '$setElementOrder/volumeMounts': [{ mountPath: '/data' }, { mountPath: '/etc/cfg' }],
            volumeMounts: [{ mountPath: '/etc/cfg', name: 'cfg' }],
            name: 'web',
          },
        ],
      }),
      edited(deployment, (d) => {
        d.spec.template.spec.containers[0].ports.push({ containerPort: 443, protocol: 'TCP' });
        d.spec.template.spec.containers[0].volumeMounts.push({ mountPath: '/etc/cfg', name: 'cfg' });
      }),
    ],
    [
      'replacing the tolerations (a list without merge strategy)',
      template({ tolerations: [{ effect: 'NoSchedule', key: 'gpu', operator: 'Exists' }] }),
      edited(deployment, (d) => (d.spec.template.spec.tolerations = [{ effect: 'NoSchedule', key: 'gpu', operator: 'Exists' }])),
    ],
    [
      'switching the strategy to Recreate ($retainKeys clears rollingUpdate)',
      { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
      edited(deployment, (d) => (d.spec.strategy = { type: 'Recreate' })),
    ],
    [
      'switching a volume from emptyDir to a configMap ($retainKeys in a list item)',
      template({
        '$setElementOrder/volumes': [{ name: 'data' }],
        volumes: [{ $retainKeys: ['configMap', 'name'], configMap: { name: 'cfg' }, name: 'data' }],
      }),
      edited(deployment, (d) => (d.spec.template.spec.volumes = [{ name: 'data', configMap: { name: 'cfg' } }])),
    ],
    [
      'removing a field with null',
      { spec: { replicas: null } },
      edited(deployment, (d) => delete d.spec.replicas),
    ],
  ])('%s', (_name, patch, expected) => {
    expect(strategicMergePatch(deployment, patch, 'Deployment')).toEqual(expected);
  });
});

describe('other kubectl commands', () => {
  it.each(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicationController'])(
    'kubectl set image merges containers by name in a %s (spec.template is a pod template)',
    (kind) => {
      const patch = template({ containers: [{ image: 'envoy:1.31', name: 'sidecar' }] });
      expect(strategicMergePatch(deployment, patch, kind)).toEqual(
        edited(deployment, (d) => (d.spec.template.spec.containers[1].image = 'envoy:1.31')),
      );
    },
  );

  it('kubectl set image merges containers by name in a CronJob job template', () => {
    const cronJob = { spec: { schedule: '* * * * *', jobTemplate: { spec: { template: deployment.spec.template } } } };
    const patch = { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ image: 'x:2', name: 'web' }] } } } } } };
    expect(strategicMergePatch(cronJob, patch, 'CronJob')).toEqual(
      edited(cronJob, (c) => (c.spec.jobTemplate.spec.template.spec.containers[0].image = 'x:2')),
    );
  });

  it('kubectl rollout restart adds an annotation to the pod template', () => {
    const patch = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z' } } } } };
    expect(strategicMergePatch(deployment, patch, 'Deployment')).toEqual(
      edited(deployment, (d) => (d.spec.template.metadata.annotations = { 'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z' })),
    );
  });

  it('kubectl rollout undo of a DaemonSet replaces the whole template ($patch: replace)', () => {
    const revision = {
      spec: { template: { $patch: 'replace', metadata: { labels: { app: 'web' } }, spec: { containers: [{ image: 'nginx:1.25', name: 'web' }] } } },
    };
    expect(strategicMergePatch(deployment, revision, 'DaemonSet')).toEqual(
      edited(deployment, (d) => (d.spec.template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ image: 'nginx:1.25', name: 'web' }] } })),
    );
  });

  it('kubectl debug adds an ephemeral container, merged by name', () => {
    const pod = { spec: { containers: [{ name: 'app' }], ephemeralContainers: [{ name: 'debugger-1', image: 'busybox' }] } };
    const patch = { spec: { ephemeralContainers: [{ name: 'debugger-2', image: 'busybox', stdin: true }] } };
    expect(strategicMergePatch(pod, patch, 'Pod')).toEqual(
      edited(pod, (p) => p.spec.ephemeralContainers.unshift({ name: 'debugger-2', image: 'busybox', stdin: true })),
    );
  });

  it('kubectl patch merges imagePullSecrets and initContainers by name', () => {
    const pod = { spec: { imagePullSecrets: [{ name: 'a' }], initContainers: [{ name: 'init', image: 'x:1' }] } };
    const patch = { spec: { imagePullSecrets: [{ name: 'a' }, { name: 'b' }], initContainers: [{ name: 'init', image: 'x:2' }] } };
    expect(strategicMergePatch(pod, patch, 'Pod')).toEqual({
      spec: { imagePullSecrets: [{ name: 'a' }, { name: 'b' }], initContainers: [{ name: 'init', image: 'x:2' }] },
    });
  });
});

describe('Services, Nodes, metadata and status', () => {
  const service = { spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }], selector: { app: 'web' } } };

  it.each<[string, JsonObject, JsonObject]>([
    [
      'a new port is added beside the old one',
      { spec: { '$setElementOrder/ports': [{ port: 80 }, { port: 443 }], ports: [{ name: 'https', port: 443, targetPort: 8443 }] } },
      edited(service, (s) => s.spec.ports.push({ name: 'https', port: 443, targetPort: 8443 })),
    ],
    [
      "a port's targetPort changes, found by port",
      { spec: { '$setElementOrder/ports': [{ port: 80 }], ports: [{ port: 80, targetPort: 9090 }] } },
      edited(service, (s) => (s.spec.ports[0].targetPort = 9090)),
    ],
  ])('Service ports merge by port: %s', (_name, patch, expected) => {
    expect(strategicMergePatch(service, patch, 'Service')).toEqual(expected);
  });

  it('Node taints are replaced whole; addresses and conditions merge by type', () => {
    const node = {
      spec: { taints: [{ key: 'a', effect: 'NoSchedule' }] },
      status: {
        addresses: [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'Hostname', address: 'n1' }],
        conditions: [{ type: 'Ready', status: 'False' }, { type: 'MemoryPressure', status: 'False' }],
      },
    };
    const patch = {
      spec: { taints: [{ key: 'b', effect: 'NoExecute' }] },
      status: {
        '$setElementOrder/conditions': [{ type: 'Ready' }, { type: 'MemoryPressure' }],
        conditions: [{ type: 'Ready', status: 'True' }],
        addresses: [{ type: 'InternalIP', address: '10.0.0.2' }],
      },
    };
    expect(strategicMergePatch(node, patch, 'Node')).toEqual(
      edited(node, (n) => {
        n.spec.taints = [{ key: 'b', effect: 'NoExecute' }];
        n.status.conditions[0].status = 'True';
        n.status.addresses[0].address = '10.0.0.2';
      }),
    );
  });

  it('labels with dotted keys merge, finalizers merge as a set, ownerReferences merge by uid', () => {
    const object = {
      metadata: {
        labels: { 'app.kubernetes.io/name': 'web' },
        finalizers: ['a'],
        ownerReferences: [{ uid: 'u1', kind: 'ReplicaSet', name: 'rs1' }],
      },
    };
    const patch = {
      metadata: {
        labels: { 'app.kubernetes.io/part-of': 'shop' },
        '$setElementOrder/finalizers': ['a', 'b'],
        finalizers: ['b'],
        ownerReferences: [{ uid: 'u1', controller: true }],
      },
    };
    expect(strategicMergePatch(object, patch, 'ConfigMap')).toEqual({
      metadata: {
        labels: { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/part-of': 'shop' },
        finalizers: ['a', 'b'],
        ownerReferences: [{ uid: 'u1', kind: 'ReplicaSet', name: 'rs1', controller: true }],
      },
    });
  });

  it('kubectl apply removing a finalizer sends $deleteFromPrimitiveList', () => {
    const object = { metadata: { finalizers: ['a', 'b'] } };
    const patch = { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'], '$setElementOrder/finalizers': ['b'] } };
    expect(strategicMergePatch(object, patch, 'Secret')).toEqual({ metadata: { finalizers: ['b'] } });
  });

  it('the kubelet status patch merges pod conditions by type', () => {
    const pod = { status: { conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'False' }] } };
    const patch = {
      status: {
        '$setElementOrder/conditions': [{ type: 'Initialized' }, { type: 'Ready' }, { type: 'PodScheduled' }],
        conditions: [
          { type: 'Ready', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' },
          { type: 'PodScheduled', status: 'True' },
        ],
      },
    };
    expect(strategicMergePatch(pod, patch, 'Pod')).toEqual({
      status: {
        conditions: [
          { type: 'Initialized', status: 'True' },
          { type: 'Ready', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' },
          { type: 'PodScheduled', status: 'True' },
        ],
      },
    });
  });
});
