import { podPriority } from '../framework/pod-info';
import type { QueueSortPlugin, QueuedPodInfo } from '../framework/types';

/** The order pods leave the active queue (queuesort.PrioritySort): higher spec.priority first, then the one queued earlier. */
export class PrioritySort implements QueueSortPlugin {
  static readonly NAME = 'PrioritySort';
  readonly name = PrioritySort.NAME;

  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
    const p1 = podPriority(a.podInfo.pod);
    const p2 = podPriority(b.podInfo.pod);
    return p1 > p2 || (p1 === p2 && a.timestamp < b.timestamp);
  }
}
