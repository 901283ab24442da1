import { isConflict, metaTime, Resources, type KubeObject, type ObjectsClient } from '@kubelab/client';
import { matchTaint, nodeTaints, taintExists, type Taint } from '@kubelab/component-helpers';
import type { NodeCondition } from './node-health';

/** The taints the node lifecycle controller owns (core/v1 well-known taints). */
export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NODE_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_NODE_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_NODE_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_NODE_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';
export const TAINT_NODE_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';

/** Pods that do not tolerate it are evicted (after their tolerationSeconds). */
export const UNREACHABLE_TAINT_TEMPLATE: Taint = { key: TAINT_NODE_UNREACHABLE, effect: 'NoExecute' };
export const NOT_READY_TAINT_TEMPLATE: Taint = { key: TAINT_NODE_NOT_READY, effect: 'NoExecute' };

/** Which condition status gets which NoSchedule taint (nodeConditionToTaintKeyStatusMap). */
const CONDITION_TO_TAINT_KEY: Record<string, Record<string, string>> = {
  Ready: { False: TAINT_NODE_NOT_READY, Unknown: TAINT_NODE_UNREACHABLE },
  MemoryPressure: { True: TAINT_NODE_MEMORY_PRESSURE },
  DiskPressure: { True: TAINT_NODE_DISK_PRESSURE },
  NetworkUnavailable: { True: TAINT_NODE_NETWORK_UNAVAILABLE },
  PIDPressure: { True: TAINT_NODE_PID_PRESSURE },
};

const CONDITION_TAINT_KEYS = new Set(Object.values(CONDITION_TO_TAINT_KEY).flatMap((byStatus) => Object.values(byStatus)));

/** The NoSchedule taints a node's conditions and spec.unschedulable call for (TaintNodesByCondition). */
export function noScheduleTaintsFor(node: KubeObject): Taint[] {
  const taints: Taint[] = [];
  for (const condition of (node.status?.conditions as NodeCondition[] | undefined) ?? []) {
    const key = CONDITION_TO_TAINT_KEY[condition.type]?.[condition.status];
    if (key) taints.push({ key, effect: 'NoSchedule' });
  }
  if (node.spec?.unschedulable === true) taints.push({ key: TAINT_NODE_UNSCHEDULABLE, effect: 'NoSchedule' });
  return taints;
}

/** The NoSchedule taints of a node that the controller manages (and may remove). */
export function managedNoScheduleTaints(node: KubeObject): Taint[] {
  return nodeTaints(node).filter((t) => t.effect === 'NoSchedule' && (t.key === TAINT_NODE_UNSCHEDULABLE || CONDITION_TAINT_KEYS.has(t.key)));
}

/** What to add and remove to go from `current` to `desired`, taints matched by key and effect (TaintSetDiff). */
export function taintSetDiff(desired: Taint[], current: Taint[]): { toAdd: Taint[]; toRemove: Taint[] } {
  return { toAdd: desired.filter((t) => !taintExists(current, t)), toRemove: current.filter((t) => !taintExists(desired, t)) };
}

/** Times to retry a taint write that lost a race (retry.RetryOnConflict's UpdateTaintBackoff has 5 steps). */
const CONFLICT_RETRIES = 5;

/**
 * Adds taints stamped with timeAdded now and removes others (SwapNodeControllerTaint). Reads the
 * node fresh and writes with its resourceVersion, retrying on conflict, so a taint someone else
 * set in between (kubectl taint) is never lost.
 */
export async function swapNodeControllerTaint(client: ObjectsClient, nodeName: string, toAdd: Taint[], toRemove: Taint[], nowMs: number): Promise<void> {
  const stamped = toAdd.map((t) => ({ ...t, timeAdded: metaTime(nowMs) }));
  await updateNodeTaints(client, nodeName, (taints) => {
    const next = taints.filter((t) => !taintExists(toRemove, t));
    for (const taint of stamped) {
      const at = next.findIndex((t) => matchTaint(t, taint));
      if (at < 0) next.push(taint);
      else if (!sameTaint(next[at]!, taint)) next[at] = taint;
    }
    return next;
  });
}

/** Removes taints when the node has any of them (RemoveTaintOffNode); `node` is the cached node, to skip a needless read. */
export async function removeTaintOffNode(client: ObjectsClient, node: KubeObject, taints: Taint[]): Promise<boolean> {
  if (!taints.some((t) => taintExists(nodeTaints(node), t))) return false;
  await updateNodeTaints(client, node.metadata.name!, (current) => current.filter((t) => !taintExists(taints, t)));
  return true;
}

async function updateNodeTaints(client: ObjectsClient, nodeName: string, change: (taints: Taint[]) => Taint[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const node = await client.get(Resources.nodes, undefined, nodeName);
    const current = nodeTaints(node);
    const next = change(current);
    if (next.length === current.length && next.every((t, i) => sameTaint(t, current[i]!))) return;
    const spec = { ...node.spec, taints: next };
    if (!next.length) delete (spec as { taints?: Taint[] }).taints;
    try {
      await client.update(Resources.nodes, { ...node, spec });
      return;
    } catch (error) {
      if (!isConflict(error) || attempt >= CONFLICT_RETRIES) throw error;
    }
  }
}

function sameTaint(a: Taint, b: Taint): boolean {
  return a.key === b.key && (a.value ?? '') === (b.value ?? '') && a.effect === b.effect && a.timeAdded === b.timeAdded;
}
