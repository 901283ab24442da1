import type { ResourceType } from '../types';

/**
 * The questions kubectl asks about its own permissions (`kubectl auth can-i`, `kubectl auth
 * whoami`). kubelab authenticates nobody and authorizes everything, as a lab's admin kubeconfig
 * does on kind: the answer is always "allowed", and the user is the lab's admin.
 */
const review = (group: string, version: string, kind: string, resource: string, answer: ResourceType['review']): ResourceType => ({
  group,
  version,
  kind,
  resource,
  singular: '',
  namespaced: false,
  strategy: {},
  printer: { columns: [], row: () => [] },
  review: answer,
});

const ADMIN = { username: 'kubernetes-admin', groups: ['kubeadm:cluster-admins', 'system:authenticated'] };

export const selfSubjectAccessReviews = review('authorization.k8s.io', 'v1', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', (request) => ({
  metadata: { creationTimestamp: null } as never,
  spec: request.spec ?? {},
  status: { allowed: true, reason: 'kubelab authorizes every request' },
}));

export const selfSubjectRulesReviews = review('authorization.k8s.io', 'v1', 'SelfSubjectRulesReview', 'selfsubjectrulesreviews', (request) => ({
  metadata: { creationTimestamp: null } as never,
  spec: request.spec ?? {},
  status: { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }], incomplete: false },
}));

export const selfSubjectReviews = review('authentication.k8s.io', 'v1', 'SelfSubjectReview', 'selfsubjectreviews', () => ({
  metadata: { creationTimestamp: null } as never,
  status: { userInfo: ADMIN },
}));
