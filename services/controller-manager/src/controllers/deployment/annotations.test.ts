import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@kubelab/client';
import { maxRevision, revisionOf, setDeploymentRevision, setNewReplicaSetAnnotations } from './annotations';

const rs = (annotations?: Record<string, string>): KubeObject => ({ metadata: { name: 'web-abc', ...(annotations ? { annotations } : {}) } });
const deployment: KubeObject = {
  metadata: {
    name: 'web',
    annotations: {
      'kubernetes.io/change-cause': 'kubectl set image deployment/web nginx=nginx:1.25.3',
      'deployment.kubernetes.io/revision': '7',
      'kubectl.kubernetes.io/last-applied-configuration': '{}',
    },
  },
};

describe('setNewReplicaSetAnnotations', () => {
  it('a new ReplicaSet: the revision, the replica annotations, the change cause; not the skipped ones', () => {
    const r = rs();
    expect(setNewReplicaSetAnnotations(deployment, r, 3, false, 3, 4)).toBe(true);
    expect(r.metadata.annotations).toEqual({
      'kubernetes.io/change-cause': 'kubectl set image deployment/web nginx=nginx:1.25.3',
      'deployment.kubernetes.io/revision': '3',
      'deployment.kubernetes.io/desired-replicas': '3',
      'deployment.kubernetes.io/max-replicas': '4',
    });
  });

  it('a rollback: the old ReplicaSet gets the next revision and remembers its old ones', () => {
    const r = rs({ 'deployment.kubernetes.io/revision': '2', 'deployment.kubernetes.io/revision-history': '1', 'kubernetes.io/change-cause': 'kubectl set image deployment/web nginx=nginx:1.25.3' });
    expect(setNewReplicaSetAnnotations(deployment, r, 5, true, 3, 4)).toBe(true);
    expect(r.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '5', 'deployment.kubernetes.io/revision-history': '1,2' });
    expect(r.metadata.annotations!['deployment.kubernetes.io/desired-replicas']).toBeUndefined();
  });

  it('nothing to change: false', () => {
    const r = rs({ 'deployment.kubernetes.io/revision': '5', 'kubernetes.io/change-cause': 'kubectl set image deployment/web nginx=nginx:1.25.3' });
    expect(setNewReplicaSetAnnotations(deployment, r, 5, true, 3, 4)).toBe(false);
    expect(setNewReplicaSetAnnotations(deployment, r, 4, true, 3, 4)).toBe(false);
  });

  it('an unreadable revision is left alone', () => {
    const r = rs({ 'deployment.kubernetes.io/revision': 'x', 'kubernetes.io/change-cause': 'kubectl set image deployment/web nginx=nginx:1.25.3' });
    expect(setNewReplicaSetAnnotations(deployment, r, 5, true, 3, 4)).toBe(false);
    expect(r.metadata.annotations!['deployment.kubernetes.io/revision']).toBe('x');
  });
});

describe('revisions', () => {
  it('revisionOf: 0 without the annotation, undefined when unreadable; maxRevision skips those', () => {
    expect(revisionOf(rs())).toBe(0);
    expect(revisionOf(rs({ 'deployment.kubernetes.io/revision': '12' }))).toBe(12);
    expect(revisionOf(rs({ 'deployment.kubernetes.io/revision': 'v2' }))).toBeUndefined();
    expect(maxRevision([rs({ 'deployment.kubernetes.io/revision': '3' }), rs({ 'deployment.kubernetes.io/revision': 'v9' }), rs()])).toBe(3);
  });

  it('setDeploymentRevision says whether it changed', () => {
    const d = structuredClone(deployment);
    expect(setDeploymentRevision(d, '7')).toBe(false);
    expect(setDeploymentRevision(d, '8')).toBe(true);
    expect(d.metadata.annotations!['deployment.kubernetes.io/revision']).toBe('8');
  });
});
