// Scheduling helpers shared by the scheduler and the controller-manager (k8s.io/component-helpers/scheduling/corev1).
export {
  doNotScheduleTaint,
  findMatchingUntoleratedTaint,
  getMatchingTolerations,
  matchTaint,
  nodeTaints,
  podTolerations,
  taintExists,
  toleratesTaint,
  tolerationsTolerateTaint,
} from './scheduling/taints';
export type { Taint, Toleration } from './scheduling/taints';
export { getRequiredNodeAffinity, OBJECT_NAME_FIELD, podNodeAffinity, PreferredSchedulingTerms, RequiredNodeAffinity } from './scheduling/node-affinity';
export type { Affinity, NodeAffinity, NodeSelectorRequirement, NodeSelectorTerm, PreferredSchedulingTerm } from './scheduling/node-affinity';
