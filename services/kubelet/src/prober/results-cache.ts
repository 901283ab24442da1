import type { ProbeResult } from './types';

/** A result that changed, for the container it belongs to. */
export interface ResultUpdate<Meta> {
  containerId: string;
  result: ProbeResult;
  meta: Meta;
}

/**
 * The latest result of one kind of probe per container (pkg/kubelet/prober/results.Manager):
 * the workers write it, the kubelet reads it when it builds a pod's status, and a change is
 * announced so the pod workers act at once (restart on a liveness Failure, Ready flips).
 * A container ID with no entry has no result yet.
 */
export class ResultsCache<Meta = void> {
  private readonly results = new Map<string, ProbeResult>();
  private readonly listeners: Array<(update: ResultUpdate<Meta>) => void> = [];

  get(containerId: string): ProbeResult | undefined {
    return this.results.get(containerId);
  }

  /** Records a result; listeners hear of it only when it differs from the one before. */
  set(containerId: string, result: ProbeResult, meta: Meta): void {
    if (this.results.get(containerId) === result) return;
    this.results.set(containerId, result);
    for (const listener of this.listeners) listener({ containerId, result, meta });
  }

  /**
   * The result a worker starts from, recorded without an announcement: a liveness probe starts
   * as Success (nothing for the pod workers to act on), so its first success is no change.
   */
  initialize(containerId: string, result: ProbeResult): void {
    this.results.set(containerId, result);
  }

  remove(containerId: string): void {
    this.results.delete(containerId);
  }

  onUpdate(listener: (update: ResultUpdate<Meta>) => void): void {
    this.listeners.push(listener);
  }
}
