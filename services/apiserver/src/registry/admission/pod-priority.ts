import { ApiError, isNotFound, newForbidden } from '@kubelab/apimachinery';
import type { ObjectStore } from '../../storage/object-store';
import { priorityclasses } from '../resources/priorityclasses';
import type { KubeObject } from '../types';

/**
 * The Priority admission plugin: a pod's spec.priorityClassName becomes its spec.priority (and
 * preemptionPolicy) from the PriorityClass, so the scheduler can compare pods by number. A pod
 * without a class gets the global default class's value, or 0. A class that does not exist is
 * refused as Kubernetes refuses it.
 */
export async function admitPodPriority(pod: KubeObject, store: ObjectStore): Promise<void> {
  const spec = (pod.spec ??= {}) as { priorityClassName?: string; priority?: number; preemptionPolicy?: string };
  let pc: KubeObject | undefined;
  if (spec.priorityClassName) {
    try {
      pc = await store.getCached(priorityclasses, undefined, spec.priorityClassName);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      throw new ApiError(newForbidden({ group: '', resource: 'pods' }, pod.metadata.name ?? '', `no PriorityClass with name ${spec.priorityClassName} was found`));
    }
  } else {
    pc = (await store.listCached(priorityclasses)).find((p) => p.globalDefault === true);
    if (pc) spec.priorityClassName = pc.metadata.name;
  }
  const value = pc ? Number(pc.value ?? 0) : 0;
  if (spec.priority !== undefined && spec.priority !== value && pc) {
    throw new ApiError(newForbidden({ group: '', resource: 'pods' }, pod.metadata.name ?? '', 'the integer value of priority (' + spec.priority + ') must not be provided in pod spec; priority admission controller computed ' + value + ' from the given PriorityClass name'));
  }
  spec.priority = value;
  spec.preemptionPolicy = (pc?.preemptionPolicy as string | undefined) ?? spec.preemptionPolicy ?? 'PreemptLowerPriority';
}
