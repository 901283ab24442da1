import { isNotFound, Resources, splitMetaNamespaceKey, type EventRecorder, type Informer, type KubeObject } from '@kubelab/client';
import { nodeTaints, podTolerations, type Taint, type Toleration } from '@kubelab/component-helpers';
import type { ControllerContext } from '../../controller/context';
import { POD_NODE_NAME_INDEX, podNodeNameIndex } from '../../controller/pod-node-name-index';
import { QueueController } from '../../controller/queue-controller';
import { semanticEqual } from '../../controller/semantic-equal';
import { updatePodCondition } from '../../controller/update-pod-condition';
import { TimedWorkerQueue } from './timed-workers';
import { noExecuteTaints, tolerationTimeMs } from './toleration-time';

/**
 * The taint eviction controller (pkg/controller/tainteviction, "taint-eviction-controller"):
 * evicts pods from nodes with NoExecute taints they do not tolerate. A pod that does not tolerate
 * every NoExecute taint of its node is deleted at once; one that tolerates them all for a while
 * (tolerationSeconds, the smallest of the tolerations used) is deleted when that time runs out,
 * unless the taint goes away first; one that tolerates them forever stays. Before deleting, the
 * pod gets the DisruptionTarget condition (DeletionByTaintManager), and a TaintManagerEviction
 * event says "Marking for deletion Pod default/web-1" (or "Cancelling deletion of Pod ..." when a
 * scheduled eviction is called off).
 *
 * The work queue holds pod keys: a pod is looked at when it is bound, its tolerations change, its
 * node's NoExecute taints change, or its eviction falls due.
 */
export class TaintEvictionController extends QueueController {
  private readonly recorder: EventRecorder;
  private readonly pods: Informer<KubeObject>;
  private readonly nodes: Informer<KubeObject>;
  readonly evictions: TimedWorkerQueue;

  constructor(ctx: ControllerContext) {
    super('taint-eviction-controller', ctx);
    this.recorder = ctx.recorder('taint-eviction-controller');
    this.evictions = new TimedWorkerQueue(ctx.clock, (key) => this.enqueue(key));
    this.pods = ctx.informers.informer(Resources.pods, { [POD_NODE_NAME_INDEX]: podNodeNameIndex });
    this.nodes = ctx.informers.informer(Resources.nodes);
    this.pods.addEventHandler({
      // A pod not yet bound runs on no node, so no taint concerns it (nor has it an eviction to call off): its binding is an update.
      onAdd: (pod) => {
        if (pod.spec?.nodeName) this.enqueue(pod);
      },
      onUpdate: (old, pod) => {
        if (old.spec?.nodeName !== pod.spec?.nodeName || !semanticEqual(podTolerations(old), podTolerations(pod))) this.enqueue(pod);
      },
      onDelete: (pod) => this.enqueue(pod),
    });
    this.nodes.addEventHandler({
      onAdd: (node) => this.enqueuePodsOn(node),
      onUpdate: (old, node) => {
        if (!semanticEqual(noExecuteTaints(nodeTaints(old)), noExecuteTaints(nodeTaints(node)))) this.enqueuePodsOn(node);
      },
    });
  }

  protected informers(): Informer<KubeObject>[] {
    return [this.pods, this.nodes];
  }

  override async run(signal: AbortSignal): Promise<void> {
    try {
      await super.run(signal);
    } finally {
      this.evictions.cancelAll();
    }
  }

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const pod = this.pods.indexer.get(namespace, name);
    if (!pod) {
      this.cancelWorkWithEvent(key);
      return;
    }
    const nodeName = pod.spec?.nodeName as string | undefined;
    if (!nodeName) return;
    // A node gone from the cache changes nothing: what was scheduled still happens (the pod GC cleans up after deleted nodes).
    const node = this.nodes.indexer.get(undefined, nodeName);
    if (node) this.processPodOnNode(key, podTolerations(pod), noExecuteTaints(nodeTaints(node)));
    if (this.evictions.isDue(key, this.ctx.clock.now())) await this.evict(key);
  }

  /** Schedules, keeps, or calls off the pod's eviction for these NoExecute taints. */
  private processPodOnNode(key: string, tolerations: Toleration[], taints: Taint[]): void {
    const now = this.ctx.clock.now();
    if (!taints.length) {
      this.cancelWorkWithEvent(key);
      return;
    }
    const waitMs = tolerationTimeMs(taints, tolerations);
    if (waitMs < 0) {
      // Tolerated forever.
      this.cancelWorkWithEvent(key);
      return;
    }
    if (waitMs === 0) {
      this.cancelWorkWithEvent(key);
      this.evictions.addWork(key, now, now);
      return;
    }
    const scheduled = this.evictions.getWorker(key);
    let createdAt = now;
    if (scheduled) {
      // An eviction already counting down keeps its start: a taint change does not restart the clock.
      createdAt = scheduled.createdAt;
      if (createdAt + waitMs < now + waitMs) return;
      this.cancelWorkWithEvent(key);
    }
    this.evictions.addWork(key, createdAt, now + waitMs);
  }

  /** Adds the DisruptionTarget condition and deletes the pod (addConditionAndDeletePod). */
  private async evict(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    this.log.info({ pod: key }, 'deleting pod');
    this.recorder.event(podReference(namespace!, name), 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    try {
      const pod = await this.ctx.client.get(Resources.pods, namespace, name);
      const status = structuredClone(pod.status ?? {});
      const condition = { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' };
      if (updatePodCondition(status, condition, this.ctx.clock.now())) {
        await this.ctx.client.patch(Resources.pods, namespace, name, 'application/strategic-merge-patch+json', { status: { conditions: status.conditions } }, { subresource: 'status' });
      }
      await this.ctx.client.delete(Resources.pods, namespace, name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    this.evictions.markDone(key);
  }

  private cancelWorkWithEvent(key: string): void {
    if (!this.evictions.cancelWork(key)) return;
    const { namespace, name } = splitMetaNamespaceKey(key);
    this.recorder.event(podReference(namespace!, name), 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
  }

  private enqueuePodsOn(node: KubeObject): void {
    for (const pod of this.pods.indexer.byIndex(POD_NODE_NAME_INDEX, node.metadata.name!)) this.enqueue(pod);
  }
}

/** The event's object, as Kubernetes builds it: by name only, the pod may be gone already. */
function podReference(namespace: string, name: string) {
  return { apiVersion: 'v1', kind: 'Pod', namespace, name };
}
