import type { KubeObject } from '@kubelab/client';
import { podCondition } from './pod-util';

/** The annotation that says when the change behind an Endpoints / EndpointSlice write happened (v1.EndpointsLastChangeTriggerTime). */
export const LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';

interface ServiceState {
  /** Each pod's trigger time (its Ready condition's lastTransitionTime) at the last sync. */
  podTriggerTimes: Map<string, number>;
  serviceTriggerTime: number;
}

/**
 * TriggerTimeTracker (k8s.io/endpointslice/util): the time of the earliest change that the coming
 * endpoints write reflects, so the network programming latency can be measured from it. A pod's
 * change is dated by its Ready condition's transition, a Service's by its creation. The first
 * sync of a Service reports its creation time; later syncs the earliest trigger time that moved
 * since the previous sync, or none (NaN).
 */
export class TriggerTimeTracker {
  private readonly states = new Map<string, ServiceState>();

  /** Call once per sync of the Service, with the pods it selects; the state moves on either way. */
  compute(service: KubeObject, pods: KubeObject[]): number {
    const key = `${service.metadata.namespace}/${service.metadata.name}`;
    const state = this.states.get(key);
    let earliest = NaN;
    const podTriggerTimes = new Map<string, number>();
    for (const pod of pods) {
      const time = Date.parse(podCondition(pod, 'Ready')?.lastTransitionTime ?? '');
      if (Number.isNaN(time)) continue;
      podTriggerTimes.set(pod.metadata.name!, time);
      if (time > (state?.podTriggerTimes.get(pod.metadata.name!) ?? -Infinity)) earliest = minTime(earliest, time);
    }
    const serviceTriggerTime = Date.parse(service.metadata.creationTimestamp ?? '');
    if (serviceTriggerTime > (state?.serviceTriggerTime ?? -Infinity)) earliest = minTime(earliest, serviceTriggerTime);
    this.states.set(key, { podTriggerTimes, serviceTriggerTime });
    return state ? earliest : serviceTriggerTime;
  }

  deleteService(namespace: string, name: string): void {
    this.states.delete(`${namespace}/${name}`);
  }
}

function minTime(current: number, time: number): number {
  return Number.isNaN(current) || time < current ? time : current;
}

/** Go's time.RFC3339Nano in UTC: "2026-01-01T00:00:05Z", "2026-01-01T00:00:05.25Z". */
export function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d*?)0*Z$/, (_, digits: string) => (digits ? `.${digits}Z` : 'Z'));
}

/** Sets the trigger-time annotation, or removes it when there is no new trigger time (NaN). */
export function setTriggerTimeAnnotation(object: KubeObject, triggerTime: number): void {
  const annotations = { ...object.metadata.annotations };
  if (Number.isNaN(triggerTime)) delete annotations[LAST_CHANGE_TRIGGER_TIME];
  else annotations[LAST_CHANGE_TRIGGER_TIME] = rfc3339Nano(triggerTime);
  if (Object.keys(annotations).length) object.metadata.annotations = annotations;
  else delete object.metadata.annotations;
}
