import { Resources, type KubeObject, type ObjectsClient, type ObjectWatch } from '@kubelab/client';
import type { Placement } from './scheduler-workloads';

/**
 * A watch on the bench's pods that notes when each is first seen bound (spec.nodeName set) and
 * where; the bench waits on it for one pod or for a number of them.
 */
export class BindingWatch {
  readonly placements = new Map<string, Placement>();
  /** performance.now() when each pod was first seen bound. */
  readonly boundAt = new Map<string, number>();
  private readonly waiters: Array<{ done: () => boolean; resolve: () => void; reject: (error: Error) => void }> = [];
  private failure: Error | undefined;

  private constructor(
    private readonly watch: ObjectWatch,
    private readonly zones: Map<string, string>,
  ) {
    void this.consume();
  }

  /** Watches from the current list's resourceVersion: every change after it is seen, however late the stream opens. */
  static async open(client: ObjectsClient, labelSelector: string, zones: Map<string, string>): Promise<BindingWatch> {
    const { resourceVersion } = await client.list(Resources.pods, { namespace: 'default', labelSelector });
    return new BindingWatch(client.watch(Resources.pods, { namespace: 'default', labelSelector, resourceVersion }), zones);
  }

  get bound(): number {
    return this.placements.size;
  }

  /** Resolves once `count` pods are bound (or the watch fails). */
  untilBound(count: number): Promise<void> {
    return this.until(() => this.placements.size >= count);
  }

  /** Resolves once the pod is bound. */
  untilPodBound(name: string): Promise<void> {
    return this.until(() => this.placements.has(name));
  }

  stop(): void {
    this.watch.stop();
  }

  private until(done: () => boolean): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ done, resolve, reject }));
  }

  private async consume(): Promise<void> {
    try {
      for await (const event of this.watch) {
        if (event.type === 'ERROR') throw new Error(`pod watch: ${event.object.message}`);
        if (event.type !== 'ADDED' && event.type !== 'MODIFIED') continue;
        const pod = event.object as KubeObject & { spec?: { nodeName?: string } };
        const node = pod.spec?.nodeName;
        const name = pod.metadata.name!;
        if (!node || this.placements.has(name)) continue;
        this.boundAt.set(name, performance.now());
        this.placements.set(name, { labels: pod.metadata.labels ?? {}, node, zone: this.zones.get(node) ?? '' });
        for (let i = this.waiters.length - 1; i >= 0; i--) {
          if (!this.waiters[i]!.done()) continue;
          this.waiters[i]!.resolve();
          this.waiters.splice(i, 1);
        }
      }
      this.fail(new Error('the pod watch ended'));
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private fail(error: Error): void {
    this.failure = error;
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }
}
