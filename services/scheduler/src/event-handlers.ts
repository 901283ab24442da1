import { ClusterEvents, nodeSchedulingPropertiesChange, podSchedulingPropertiesChange } from './framework/cluster-event';
import type { Pod } from './framework/types';
import type { Scheduler, SchedulerInformers } from './scheduler';

/**
 * What the scheduler does with each informer event (pkg/scheduler/eventhandlers.go):
 * - a pod with spec.nodeName is in the cache (it holds room on its node); one without, whose
 *   spec.schedulerName is this profile's, is in the queue; a pod bound meanwhile moves from one
 *   to the other;
 * - nodes are in the cache; a node added, or changed in a way scheduling reads (labels, taints,
 *   allocatable, unschedulable, conditions), and an assigned pod added, changed or deleted, are
 *   cluster events that may move unschedulable pods back to the active queue;
 * - namespaces give their labels to namespaceSelector.
 */
export function addAllEventHandlers(sched: Scheduler, informers: SchedulerInformers): void {
  const responsible = (pod: Pod) => ((pod.spec?.schedulerName as string | undefined) || 'default-scheduler') === sched.framework.profileName;
  const assigned = (pod: Pod) => Boolean(pod.spec?.nodeName);
  const queue = sched.queue;

  const addPodToCache = (pod: Pod) => {
    sched.cache.addPod(pod);
    queue.moveAllToActiveOrBackoffQueue(ClusterEvents.AssignedPodAdd, undefined, pod);
  };
  const deletePodFromCache = (pod: Pod) => {
    sched.cache.removePod(pod);
    queue.moveAllToActiveOrBackoffQueue(ClusterEvents.AssignedPodDelete, pod, undefined);
  };

  informers.pods.addEventHandler({
    onAdd: (pod) => {
      if (assigned(pod)) addPodToCache(pod);
      else if (responsible(pod)) queue.add(pod);
    },
    onUpdate: (oldPod, pod) => {
      if (assigned(pod)) {
        if (!assigned(oldPod)) {
          // Bound (by us or anyone): from the queue to the cache.
          if (responsible(oldPod)) queue.delete(oldPod);
          addPodToCache(pod);
          return;
        }
        sched.cache.updatePod(oldPod, pod);
        for (const event of podSchedulingPropertiesChange(pod, oldPod)) queue.moveAllToActiveOrBackoffQueue(event, oldPod, pod);
        return;
      }
      if (responsible(pod)) queue.update(oldPod, pod);
    },
    onDelete: (pod) => {
      if (assigned(pod)) deletePodFromCache(pod);
      else if (responsible(pod)) queue.delete(pod);
    },
  });

  informers.nodes.addEventHandler({
    onAdd: (node) => {
      sched.cache.addNode(node);
      queue.moveAllToActiveOrBackoffQueue(ClusterEvents.NodeAdd, undefined, node);
    },
    onUpdate: (oldNode, node) => {
      sched.cache.updateNode(oldNode, node);
      for (const event of nodeSchedulingPropertiesChange(node, oldNode)) queue.moveAllToActiveOrBackoffQueue(event, oldNode, node);
    },
    onDelete: (node) => sched.cache.removeNode(node),
  });

  informers.namespaces.addEventHandler({
    onAdd: (namespace) => sched.cache.setNamespace(namespace),
    onUpdate: (_old, namespace) => sched.cache.setNamespace(namespace),
    onDelete: (namespace) => sched.cache.removeNamespace(namespace),
  });
}
