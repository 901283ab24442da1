import { isNotFound, Resources, sleep, type Informer, type KubeObject } from '@kubelab/client';
import type { Logger } from '@kubelab/component-base';
import { nodeTaints } from '@kubelab/component-helpers';
import type { Controller, ControllerContext } from '../../controller/context';
import { updatePodCondition, type PodCondition } from '../../controller/update-pod-condition';

/** How often the pod GC looks (gcCheckPeriod). */
const GC_CHECK_PERIOD_MS = 20_000;
/** How long a node missing from the cache is given to show up before the apiserver is asked (quarantineTime). */
const QUARANTINE_MS = 40_000;
/** --terminated-pod-gc-threshold's default. */
export const DEFAULT_TERMINATED_POD_THRESHOLD = 12_500;
/** A node that is shut down for good: its terminating pods may go without their kubelet (NodeOutOfServiceVolumeDetach). */
const TAINT_NODE_OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service';

/**
 * The pod garbage collector (pkg/controller/podgc, "pod-garbage-collector-controller"): every
 * 20 s it force-deletes (grace period 0) the pods no kubelet will ever finish:
 * - pods bound to a node that no longer exists (after 40 s of quarantine and a GET to be sure),
 *   marked Failed with DisruptionTarget "PodGC: node no longer exists" first;
 * - terminating pods that were never scheduled;
 * - terminating pods on a NotReady node tainted `node.kubernetes.io/out-of-service`;
 * - finished pods beyond --terminated-pod-gc-threshold, oldest (and evicted) first.
 * It records no events.
 */
export class PodGCController implements Controller {
  readonly name = 'pod-garbage-collector-controller';
  private readonly log: Logger;
  private readonly pods: Informer<KubeObject>;
  private readonly nodes: Informer<KubeObject>;
  /** Missing node → when it may be checked with a GET (the delaying nodeQueue). */
  private readonly quarantine = new Map<string, number>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly terminatedPodThreshold = DEFAULT_TERMINATED_POD_THRESHOLD,
  ) {
    this.log = ctx.log.child({ controller: this.name });
    this.pods = ctx.informers.informer(Resources.pods);
    this.nodes = ctx.informers.informer(Resources.nodes);
  }

  async run(signal: AbortSignal): Promise<void> {
    this.log.info('starting');
    await Promise.all([this.pods, this.nodes].map((i) => i.waitForSync(24 * 3600_000)));
    while (!signal.aborted) {
      try {
        await this.gc();
      } catch (error) {
        this.log.error({ err: (error as Error).message }, 'pod GC pass failed');
      }
      await sleep(this.ctx.clock, GC_CHECK_PERIOD_MS, signal);
    }
    this.log.info('stopped');
  }

  /** One pass. */
  async gc(): Promise<void> {
    const pods = this.pods.indexer.list();
    const nodes = this.nodes.indexer.list();
    if (this.terminatedPodThreshold > 0) await this.gcTerminated(pods);
    await this.gcTerminating(pods);
    await this.gcOrphaned(pods, nodes);
    await this.gcUnscheduledTerminating(pods);
  }

  /** Finished pods beyond the threshold. */
  private async gcTerminated(pods: KubeObject[]): Promise<void> {
    const terminated = pods.filter(isPodTerminated);
    const count = terminated.length - this.terminatedPodThreshold;
    if (count <= 0) return;
    this.log.info({ pods: count }, 'garbage collecting terminated pods');
    await this.deleteAll(terminated.sort(byEvictionAndCreationTimestamp).slice(0, count));
  }

  /** Terminating pods on an out-of-service node that is not Ready: no kubelet will finish them. */
  private async gcTerminating(pods: KubeObject[]): Promise<void> {
    const stuck = pods.filter((pod) => {
      if (!pod.metadata.deletionTimestamp) return false;
      const node = this.nodes.indexer.get(undefined, (pod.spec?.nodeName as string | undefined) ?? '');
      return node !== undefined && !isNodeReady(node) && nodeTaints(node).some((t) => t.key === TAINT_NODE_OUT_OF_SERVICE);
    });
    if (stuck.length) await this.deleteAll(stuck.sort(byEvictionAndCreationTimestamp));
  }

  /** Pods bound to nodes that are gone. */
  private async gcOrphaned(pods: KubeObject[], nodes: KubeObject[]): Promise<void> {
    const existing = new Set(nodes.map((n) => n.metadata.name!));
    const now = this.ctx.clock.now();
    for (const pod of pods) {
      const nodeName = pod.spec?.nodeName as string | undefined;
      if (nodeName && !existing.has(nodeName) && !this.quarantine.has(nodeName)) this.quarantine.set(nodeName, now + QUARANTINE_MS);
    }
    const deleted = new Set<string>();
    for (const [nodeName, readyAt] of this.quarantine) {
      if (readyAt > now) continue;
      this.quarantine.delete(nodeName);
      if (existing.has(nodeName)) continue;
      try {
        await this.ctx.client.get(Resources.nodes, undefined, nodeName);
      } catch (error) {
        if (isNotFound(error)) deleted.add(nodeName);
        else this.log.warn({ node: nodeName, err: (error as Error).message }, 'error while getting node');
      }
    }
    for (const pod of pods) {
      if (!deleted.has(pod.spec?.nodeName as string)) continue;
      this.log.info({ pod: `${pod.metadata.namespace}/${pod.metadata.name}`, node: pod.spec?.nodeName }, 'found orphaned pod assigned to a deleted node; deleting');
      await this.markFailedAndDelete(pod, { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' });
    }
  }

  /** Terminating pods that were never scheduled: no kubelet has them. */
  private async gcUnscheduledTerminating(pods: KubeObject[]): Promise<void> {
    for (const pod of pods) {
      if (!pod.metadata.deletionTimestamp || pod.spec?.nodeName) continue;
      this.log.info({ pod: `${pod.metadata.namespace}/${pod.metadata.name}` }, 'found unscheduled terminating pod; deleting');
      await this.markFailedAndDelete(pod);
    }
  }

  private async deleteAll(pods: KubeObject[]): Promise<void> {
    await Promise.all(pods.map((pod) => this.markFailedAndDelete(pod)));
  }

  /**
   * Marks a pod Failed (with a condition saying why), as no kubelet will, then force-deletes it
   * (markFailedAndDeletePodWithCondition). Failures are logged; the next pass tries again.
   */
  private async markFailedAndDelete(pod: KubeObject, condition?: PodCondition): Promise<void> {
    const { namespace, name } = pod.metadata;
    try {
      if (!isPodTerminated(pod)) {
        const status = structuredClone(pod.status ?? {});
        status.phase = 'Failed';
        if (condition) updatePodCondition(status, condition, this.ctx.clock.now());
        await this.ctx.client.patch(Resources.pods, namespace, name!, 'application/strategic-merge-patch+json', { status: { phase: 'Failed', ...(condition ? { conditions: status.conditions } : {}) } }, { subresource: 'status' });
      }
      await this.ctx.client.delete(Resources.pods, namespace, name!, { gracePeriodSeconds: 0 });
      this.log.info({ pod: `${namespace}/${name}` }, 'forced deletion of pod succeeded');
    } catch (error) {
      if (!isNotFound(error)) this.log.warn({ pod: `${namespace}/${name}`, err: (error as Error).message }, 'failed to force delete pod');
    }
  }
}

/** Succeeded or Failed (anything but Pending, Running, Unknown). */
function isPodTerminated(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return phase !== undefined && phase !== 'Pending' && phase !== 'Running' && phase !== 'Unknown';
}

function isNodeReady(node: KubeObject): boolean {
  return ((node.status?.conditions as Array<{ type: string; status: string }> | undefined) ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Evicted pods first, then the oldest, then by name (byEvictionAndCreationTimestamp). */
export function byEvictionAndCreationTimestamp(a: KubeObject, b: KubeObject): number {
  const evicted = (p: KubeObject) => p.status?.phase === 'Failed' && p.status?.reason === 'Evicted';
  if (evicted(a) !== evicted(b)) return evicted(a) ? -1 : 1;
  const ta = Date.parse(a.metadata.creationTimestamp ?? '');
  const tb = Date.parse(b.metadata.creationTimestamp ?? '');
  if (ta !== tb) return ta - tb;
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : (a.metadata.name ?? '') > (b.metadata.name ?? '') ? 1 : 0;
}
