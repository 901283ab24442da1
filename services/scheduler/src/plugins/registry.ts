import type { PluginEntry } from '../framework/framework';
import { DefaultPreemption } from './default-preemption';
import { InterPodAffinity } from './inter-pod-affinity';
import { NodeAffinity } from './node-affinity';
import { NodeName } from './node-name';
import { NodePorts } from './node-ports';
import { NodeResourcesBalancedAllocation } from './node-resources-balanced-allocation';
import { NodeResourcesFit } from './node-resources-fit';
import { NodeUnschedulable } from './node-unschedulable';
import { PodTopologySpread } from './pod-topology-spread';
import { PrioritySort } from './priority-sort';
import { TaintToleration } from './taint-toleration';

/**
 * The default profile, in the order of Kubernetes 1.32's getDefaultPlugins (each extension point
 * runs its plugins in this order) with its score weights. Adding a plugin is one line here.
 */
export const DEFAULT_PLUGINS: readonly PluginEntry[] = [
  { name: PrioritySort.NAME, factory: () => new PrioritySort() },
  { name: NodeUnschedulable.NAME, factory: () => new NodeUnschedulable() },
  { name: NodeName.NAME, factory: () => new NodeName() },
  { name: TaintToleration.NAME, factory: () => new TaintToleration(), weight: 3 },
  { name: NodeAffinity.NAME, factory: () => new NodeAffinity(), weight: 2 },
  { name: NodePorts.NAME, factory: () => new NodePorts() },
  { name: NodeResourcesFit.NAME, factory: () => new NodeResourcesFit(), weight: 1 },
  { name: PodTopologySpread.NAME, factory: (handle) => new PodTopologySpread(handle), weight: 2 },
  { name: InterPodAffinity.NAME, factory: (handle) => new InterPodAffinity(handle), weight: 2 },
  { name: DefaultPreemption.NAME, factory: (handle) => new DefaultPreemption(handle) },
  { name: NodeResourcesBalancedAllocation.NAME, factory: () => new NodeResourcesBalancedAllocation(), weight: 1 },
];
