import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What the queue reports for scheduler_pending_pods. */
export interface PendingPodsSource {
  pendingPods(): { active: number; backoff: number; unschedulable: number };
}

/**
 * kube-scheduler's own metrics (pkg/scheduler/metrics), the ones a lab looks at: attempts by
 * result, how long an attempt takes, and how many pods wait in each part of the queue.
 */
export class SchedulerMetrics {
  /** scheduled | unschedulable | error, per profile. */
  readonly scheduleAttempts: Counter<'result' | 'profile'>;
  /** From pop to the end of the scheduling cycle (scheduled: to the binding's start, as Kubernetes). */
  readonly schedulingAttemptDuration: Histogram<'result' | 'profile'>;
  private source: PendingPodsSource | undefined;

  constructor(registry: Registry) {
    this.scheduleAttempts = new Counter({
      name: 'scheduler_schedule_attempts_total',
      help: 'Number of attempts to schedule pods, by the result. \'unschedulable\' means a pod could not be scheduled, while \'error\' means an internal scheduler problem.',
      labelNames: ['result', 'profile'],
      registers: [registry],
    });
    this.schedulingAttemptDuration = new Histogram({
      name: 'scheduler_scheduling_attempt_duration_seconds',
      help: 'Scheduling attempt latency in seconds (scheduling algorithm + binding)',
      labelNames: ['result', 'profile'],
      buckets: Array.from({ length: 15 }, (_, i) => 0.001 * 2 ** i),
      registers: [registry],
    });
    const metrics = this;
    new Gauge({
      name: 'scheduler_pending_pods',
      help: "Number of pending pods, by the queue type. 'active' means number of pods in activeQ; 'backoff' means number of pods in backoffQ; 'unschedulable' means number of pods in unschedulablePods.",
      labelNames: ['queue'],
      registers: [registry],
      collect() {
        const pending = metrics.source?.pendingPods() ?? { active: 0, backoff: 0, unschedulable: 0 };
        for (const [queue, count] of Object.entries(pending)) this.set({ queue }, count);
      },
    });
  }

  /** The queue of the current leadership term (none while standing by). */
  watchQueue(source: PendingPodsSource | undefined): void {
    this.source = source;
  }

  observeAttempt(result: 'scheduled' | 'unschedulable' | 'error', profile: string, seconds: number): void {
    this.scheduleAttempts.inc({ result, profile });
    this.schedulingAttemptDuration.observe({ result, profile }, seconds);
  }
}
