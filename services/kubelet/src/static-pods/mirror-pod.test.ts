import { describe, expect, it } from 'vitest';
import { isMirrorPod, isMirrorPodOf, mirrorPodFor } from './mirror-pod';
import { staticPodFromManifest } from './static-pod';

const manifest = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'etcd', namespace: 'kube-system', labels: { component: 'etcd', tier: 'control-plane' }, annotations: { 'kubelab.io/process': '{"pid":42}' } },
  spec: { hostNetwork: true, priorityClassName: 'system-node-critical', priority: 2000001000, containers: [{ name: 'etcd', image: 'registry.k8s.io/etcd:3.5.16-0' }] },
};

describe('mirror pods', () => {
  const staticPod = staticPodFromManifest(manifest, '/lab/manifests/cp/etcd.yaml', 'cp', '2025-03-01T10:00:00Z');

  it('mirror a static pod: its annotations plus config.mirror, owned by the Node, no UID of its own', () => {
    const mirror = mirrorPodFor(staticPod, { name: 'cp', uid: 'node-uid' });
    expect(mirror).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'etcd-cp',
        namespace: 'kube-system',
        labels: { component: 'etcd', tier: 'control-plane' },
        annotations: {
          'kubelab.io/process': '{"pid":42}',
          'kubernetes.io/config.hash': staticPod.hash,
          'kubernetes.io/config.mirror': staticPod.hash,
          'kubernetes.io/config.seen': '2025-03-01T10:00:00Z',
          'kubernetes.io/config.source': 'file',
        },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'cp', uid: 'node-uid', controller: true }],
      },
      spec: {
        hostNetwork: true,
        priorityClassName: 'system-node-critical',
        priority: 2000001000,
        nodeName: 'cp',
        tolerations: [{ operator: 'Exists', effect: 'NoExecute' }],
        containers: [{ name: 'etcd', image: 'registry.k8s.io/etcd:3.5.16-0' }],
      },
    });
    expect(staticPod.pod.metadata.uid).toBe(staticPod.hash);
  });

  it('are told apart by config.mirror, and matched to the version of the static pod they mirror', () => {
    const mirror = { ...mirrorPodFor(staticPod, { name: 'cp', uid: 'node-uid' }), metadata: { ...mirrorPodFor(staticPod, { name: 'cp', uid: 'node-uid' }).metadata, uid: 'apiserver-uid' } };
    expect(isMirrorPod(mirror)).toBe(true);
    expect(isMirrorPod(staticPod.pod)).toBe(false);
    expect(isMirrorPodOf(mirror, staticPod)).toBe(true);
    const changed = staticPodFromManifest({ ...manifest, spec: { ...manifest.spec, priority: undefined } }, '/lab/manifests/cp/etcd.yaml', 'cp', '2025-03-01T10:00:00Z');
    expect(changed.hash).not.toBe(staticPod.hash);
    expect(isMirrorPodOf(mirror, changed)).toBe(false);
    expect(isMirrorPodOf({ ...mirror, metadata: { ...mirror.metadata, namespace: 'default' } }, staticPod)).toBe(false);
  });
});
