/**
 * The outcome of a plugin (framework.Status). Unschedulable: the pod may fit once the cluster
 * changes (or through preemption); UnschedulableAndUnresolvable: preemption cannot help on that
 * node either ("Preemption is not helpful for scheduling"); Error: something went wrong, retry.
 */
export type Code = 'Success' | 'Error' | 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Skip' | 'Pending';

export class Status {
  /** The plugin that returned it, set by the framework. */
  plugin = '';

  private constructor(
    readonly code: Code,
    /** Each reason is counted per node in FailedScheduling ("2 node(s) didn't match pod anti-affinity rules"). */
    readonly reasons: readonly string[],
  ) {}

  static readonly SUCCESS = new Status('Success', []);

  static success(): Status {
    return Status.SUCCESS;
  }

  static skip(): Status {
    return new Status('Skip', []);
  }

  static unschedulable(...reasons: string[]): Status {
    return new Status('Unschedulable', reasons);
  }

  static unresolvable(...reasons: string[]): Status {
    return new Status('UnschedulableAndUnresolvable', reasons);
  }

  static error(message: string): Status {
    return new Status('Error', [message]);
  }

  isSuccess(): boolean {
    return this.code === 'Success';
  }

  isSkip(): boolean {
    return this.code === 'Skip';
  }

  isRejected(): boolean {
    return this.code === 'Unschedulable' || this.code === 'UnschedulableAndUnresolvable' || this.code === 'Pending';
  }

  withPlugin(plugin: string): Status {
    if (this === Status.SUCCESS) return this;
    this.plugin = plugin;
    return this;
  }

  message(): string {
    return this.reasons.join(', ');
  }
}
