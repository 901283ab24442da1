import { metaNamespaceKey, metaTime, Resources } from '@kubelab/client';
import { ClusterEvents } from './framework/cluster-event';
import { CycleState } from './framework/cycle-state';
import { FitError, type Diagnosis } from './framework/fit-error';
import type { NodeInfo } from './framework/node-info';
import { newPodInfo } from './framework/pod-info';
import { Status } from './framework/status';
import type { Pod, QueuedPodInfo } from './framework/types';
import type { NominatingInfo } from './queue/nominator';
import type { Scheduler } from './scheduler';

/** Below this many nodes every node is checked (minFeasibleNodesToFind). */
const MIN_FEASIBLE_NODES_TO_FIND = 100;
/** The adaptive percentage never drops below this (minFeasibleNodesPercentageToFind). */
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;
/** Kubernetes' validation.NoteLengthLimit: event messages are cut to this. */
const NOTE_LENGTH_LIMIT = 1024;

/** A failed attempt clears a nomination preemption made before (clearNominatedNode). */
const CLEAR_NOMINATED_NODE: NominatingInfo = { mode: 'Override', nominatedNodeName: '' };

const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

type CycleOutcome = { host: string; assumedPod: Pod } | { status: Status; fitError?: FitError; nominatingInfo?: NominatingInfo };

/**
 * One pod's turn (Scheduler.scheduleOne): the scheduling cycle, then either the binding cycle in
 * the background, or the failure path (requeue, PodScheduled=False, a FailedScheduling event).
 */
export async function scheduleOne(sched: Scheduler, pInfo: QueuedPodInfo): Promise<void> {
  const pod = pInfo.podInfo.pod;
  if (skipPodSchedule(sched, pod)) {
    sched.queue.done(pod);
    return;
  }
  const start = sched.clock.now();
  let outcome: CycleOutcome;
  try {
    outcome = await schedulingCycle(sched, new CycleState(), pod);
  } catch (error) {
    outcome = { status: Status.error((error as Error).message), nominatingInfo: CLEAR_NOMINATED_NODE };
  }
  if ('status' in outcome) {
    await handleSchedulingFailure(sched, pInfo, outcome.status, outcome.fitError, outcome.nominatingInfo, start);
    return;
  }
  sched.trackBinding(bindingCycle(sched, pInfo, outcome.assumedPod, outcome.host, start));
}

/** A pod being deleted, or one already assumed (an update requeued it during its own cycle), is not scheduled. */
function skipPodSchedule(sched: Scheduler, pod: Pod): boolean {
  if (pod.metadata.deletionTimestamp) {
    sched.log.debug({ pod: metaNamespaceKey(pod) }, 'skip schedule deleting pod');
    return true;
  }
  return sched.cache.isAssumedPod(pod);
}

async function schedulingCycle(sched: Scheduler, state: CycleState, pod: Pod): Promise<CycleOutcome> {
  sched.cache.updateSnapshot(sched.snapshot);
  // ErrNoNodesAvailable: unschedulable (the pod waits for a node), not a scheduler error.
  if (sched.snapshot.numNodes() === 0) return { status: Status.unresolvable(NO_NODES_AVAILABLE), nominatingInfo: CLEAR_NOMINATED_NODE };
  const result = schedulePod(sched, state, pod);
  if (result instanceof FitError) {
    let nominatingInfo: NominatingInfo | undefined;
    if (sched.framework.hasPostFilterPlugins()) {
      // PostFilter (preemption) may make room for a later cycle; its message ends the FailedScheduling text.
      const post = await sched.framework.runPostFilterPlugins(state, pod, result.diagnosis.nodeToStatus);
      result.diagnosis.postFilterMsg = post.status.message();
      if (post.status.code === 'Error') sched.log.error({ pod: metaNamespaceKey(pod), err: post.status.message() }, 'PostFilter failed');
      if (post.nominatedNodeName !== undefined) nominatingInfo = { mode: 'Override', nominatedNodeName: post.nominatedNodeName };
    }
    return { status: Status.unschedulable(), fitError: result, nominatingInfo };
  }
  // Assume: the next cycle counts the pod on its node before the binding is confirmed.
  const assumedPod: Pod = { ...pod, spec: { ...pod.spec, nodeName: result } };
  sched.cache.assumePod(assumedPod);
  sched.queue.nominator.deleteNominatedPodIfExists(pod);
  return { host: result, assumedPod };
}

/** The node for the pod (schedulePod), or why there is none. */
function schedulePod(sched: Scheduler, state: CycleState, pod: Pod): string | FitError {
  const numAllNodes = sched.snapshot.numNodes();
  const { feasibleNodes, diagnosis } = findNodesThatFitPod(sched, state, pod);
  if (!feasibleNodes.length) return new FitError(pod, numAllNodes, diagnosis);
  // One node: nothing to compare.
  if (feasibleNodes.length === 1) return feasibleNodes[0]!.name;
  return selectHost(feasibleNodes, prioritizeNodes(sched, state, pod, feasibleNodes), sched.random);
}

/** PreFilter, then Filter over the nodes (the pod's nominated node first). */
function findNodesThatFitPod(sched: Scheduler, state: CycleState, pod: Pod): { feasibleNodes: NodeInfo[]; diagnosis: Diagnosis } {
  const allNodes = sched.snapshot.nodeInfos();
  const diagnosis: Diagnosis = { nodeToStatus: new Map(), unschedulablePlugins: new Set(), preFilterMsg: '', postFilterMsg: '' };
  const preFilter = sched.framework.runPreFilterPlugins(state, pod);
  for (const name of preFilter.pluginsWithNodes) diagnosis.unschedulablePlugins.add(name);
  if (!preFilter.status.isSuccess()) {
    if (!preFilter.status.isRejected()) throw new Error(preFilter.status.message());
    // Every node gets the same status, so that preemption sees them all rejected.
    for (const node of allNodes) diagnosis.nodeToStatus.set(node.name, preFilter.status);
    diagnosis.preFilterMsg = preFilter.status.message();
    if (preFilter.status.plugin) diagnosis.unschedulablePlugins.add(preFilter.status.plugin);
    return { feasibleNodes: [], diagnosis };
  }

  // A node nominated by an earlier preemption is likely the only one that fits: try it first.
  const nominated = pod.status?.nominatedNodeName as string | undefined;
  const nominatedNode = nominated ? sched.snapshot.get(nominated) : undefined;
  if (nominatedNode) {
    const feasible = findNodesThatPassFilters(sched, state, pod, diagnosis, [nominatedNode]);
    if (feasible.length) return { feasibleNodes: feasible, diagnosis };
  }

  let nodes = allNodes;
  if (preFilter.nodeNames) {
    const names = preFilter.nodeNames;
    nodes = [...names].map((name) => sched.snapshot.get(name)).filter((n): n is NodeInfo => n !== undefined);
  }
  const feasibleNodes = findNodesThatPassFilters(sched, state, pod, diagnosis, nodes);
  if (!feasibleNodes.length && preFilter.nodeNames) {
    const absent = Status.unresolvable(`node(s) didn't satisfy plugin(s) [${[...preFilter.pluginsWithNodes].sort().join(' ')}]`);
    for (const node of allNodes) if (!preFilter.nodeNames.has(node.name)) diagnosis.nodeToStatus.set(node.name, absent);
  }
  return { feasibleNodes, diagnosis };
}

/**
 * Filter, starting where the last cycle stopped, until enough feasible nodes are found
 * (numFeasibleNodesToFind) or every node was tried; records why each rejected node failed.
 */
function findNodesThatPassFilters(sched: Scheduler, state: CycleState, pod: Pod, diagnosis: Diagnosis, nodes: NodeInfo[]): NodeInfo[] {
  const numAllNodes = nodes.length;
  if (!numAllNodes) return [];
  const numNodesToFind = numFeasibleNodesToFind(sched.percentageOfNodesToScore, numAllNodes);
  const feasible: NodeInfo[] = [];
  let processed = 0;
  for (let i = 0; i < numAllNodes && feasible.length < numNodesToFind; i++) {
    const nodeInfo = nodes[(sched.nextStartNodeIndex + i) % numAllNodes]!;
    processed++;
    const status = sched.framework.runFilterPluginsWithNominatedPods(state, pod, nodeInfo);
    if (status.isSuccess()) {
      feasible.push(nodeInfo);
      continue;
    }
    if (!status.isRejected()) throw new Error(status.message());
    diagnosis.nodeToStatus.set(nodeInfo.name, status);
    if (status.plugin) diagnosis.unschedulablePlugins.add(status.plugin);
  }
  sched.nextStartNodeIndex = (sched.nextStartNodeIndex + processed) % numAllNodes;
  return feasible;
}

/**
 * How many feasible nodes are enough (numFeasibleNodesToFind): all below 100 nodes; else
 * percentageOfNodesToScore of them — adaptive when 0: 50% minus 1% per 125 nodes, at least 5% —
 * and never fewer than 100. On 1,000 nodes: 420; on 5,000: 500.
 */
export function numFeasibleNodesToFind(percentageOfNodesToScore: number, numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let percentage = percentageOfNodesToScore;
  if (percentage === 0) percentage = Math.max(MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND, 50 - Math.trunc(numAllNodes / 125));
  const numNodes = Math.trunc((numAllNodes * percentage) / 100);
  return Math.max(numNodes, MIN_FEASIBLE_NODES_TO_FIND);
}

/** PreScore and Score: each node's weighted total. */
function prioritizeNodes(sched: Scheduler, state: CycleState, pod: Pod, nodes: NodeInfo[]): number[] {
  if (!sched.framework.hasScorePlugins()) return nodes.map(() => 1);
  const preScore = sched.framework.runPreScorePlugins(state, pod, nodes);
  if (!preScore.isSuccess()) throw new Error(preScore.message());
  const { status, totals } = sched.framework.runScorePlugins(state, pod, nodes);
  if (!status.isSuccess()) throw new Error(status.message());
  return totals;
}

/** The highest total; ties broken at random with equal chances (reservoir sampling, as selectHost). */
export function selectHost(nodes: readonly NodeInfo[], totals: readonly number[], random: () => number): string {
  let best = 0;
  let ties = 1;
  for (let i = 1; i < nodes.length; i++) {
    if (totals[i]! > totals[best]!) {
      best = i;
      ties = 1;
    } else if (totals[i] === totals[best]) {
      ties++;
      if (Math.floor(random() * ties) === 0) best = i;
    }
  }
  return nodes[best]!.name;
}

/** Binds through pods/binding; success is a Scheduled event, failure un-assumes the pod and requeues it. */
async function bindingCycle(sched: Scheduler, pInfo: QueuedPodInfo, assumedPod: Pod, host: string, start: number): Promise<void> {
  const { namespace, name, uid } = assumedPod.metadata;
  try {
    await sched.client.bind(namespace!, name!, host, { uid });
  } catch (error) {
    // (The bind may have gone through all the same, and the informer confirmed the pod already.)
    try {
      sched.cache.forgetPod(assumedPod);
    } catch (forgetError) {
      sched.log.error({ pod: `${namespace}/${name}`, err: (forgetError as Error).message }, 'scheduler cache ForgetPod failed');
    }
    // The room the assumed pod held is free again.
    sched.queue.moveAllToActiveOrBackoffQueue(ClusterEvents.AssignedPodDelete, assumedPod, undefined);
    const status = Status.error(`running Bind plugin "DefaultBinder": ${(error as Error).message}`);
    await handleSchedulingFailure(sched, { ...pInfo, podInfo: newPodInfo(assumedPod) }, status, undefined, CLEAR_NOMINATED_NODE, start);
    return;
  }
  sched.metrics?.observeAttempt('scheduled', sched.framework.profileName, (sched.clock.now() - start) / 1000);
  sched.log.debug({ pod: `${namespace}/${name}`, node: host }, 'successfully bound pod to node');
  sched.recorder.event(asPod(assumedPod), 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${host}`);
  sched.queue.done(assumedPod);
}

/**
 * The failure path (handleSchedulingFailure): back to the queue (the informer's latest version
 * of the pod, unless it was deleted or bound meanwhile), the nomination recorded, a Warning
 * FailedScheduling event, and the PodScheduled condition set to False with the same message.
 */
async function handleSchedulingFailure(sched: Scheduler, pInfo: QueuedPodInfo, status: Status, fitError: FitError | undefined, nominatingInfo: NominatingInfo | undefined, start: number): Promise<void> {
  const reason = status.isRejected() ? 'Unschedulable' : 'SchedulerError';
  sched.metrics?.observeAttempt(reason === 'Unschedulable' ? 'unschedulable' : 'error', sched.framework.profileName, (sched.clock.now() - start) / 1000);
  const pod = pInfo.podInfo.pod;
  const key = metaNamespaceKey(pod);
  const message = fitError ? fitError.message() : status.message();
  if (fitError) {
    for (const plugin of fitError.diagnosis.unschedulablePlugins) pInfo.unschedulablePlugins.add(plugin);
    sched.log.debug({ pod: key, err: message }, 'unable to schedule pod; no fit; waiting');
  } else {
    sched.log.error({ pod: key, err: message }, 'error scheduling pod; retrying');
  }

  const cached = sched.podLister(pod.metadata.namespace ?? '', pod.metadata.name!);
  if (!cached) sched.log.info({ pod: key }, "pod doesn't exist in informer cache");
  else if (cached.spec?.nodeName) sched.log.info({ pod: key, node: cached.spec.nodeName }, 'pod has been assigned to node; not adding it back to the queue');
  else {
    pInfo.podInfo = newPodInfo(cached);
    try {
      sched.queue.addUnschedulableIfNotPresent(pInfo);
    } catch (error) {
      // A pod of that name was added again meanwhile (deleted and made again): it is queued already.
      sched.log.error({ pod: key, err: (error as Error).message }, 'error moving pod to the unschedulable queue');
    }
  }
  sched.queue.done(pod);
  sched.queue.nominator.addNominatedPod(pInfo.podInfo, nominatingInfo);

  sched.recorder.event(asPod(pod), 'Warning', 'FailedScheduling', truncateMessage(message));
  await updatePodScheduledCondition(sched, pod, reason, message, nominatingInfo);
}

/** Writes PodScheduled=False (and the nomination) when they differ from what the pod has (updatePod). */
async function updatePodScheduledCondition(sched: Scheduler, pod: Pod, reason: string, message: string, nominatingInfo: NominatingInfo | undefined): Promise<void> {
  const conditions = (pod.status?.conditions ?? []) as Array<Record<string, unknown>>;
  const old = conditions.find((c) => c.type === 'PodScheduled');
  const conditionChanged = !old || old.status !== 'False' || old.reason !== reason || old.message !== message;
  const nominatedNodeName = (pod.status?.nominatedNodeName as string | undefined) ?? '';
  const nominationChanged = nominatingInfo?.mode === 'Override' && nominatingInfo.nominatedNodeName !== nominatedNodeName;
  if (!conditionChanged && !nominationChanged) return;
  const status: Record<string, unknown> = {};
  if (conditionChanged) {
    const lastTransitionTime = old?.status === 'False' ? old.lastTransitionTime : metaTime(sched.clock.now());
    status.conditions = [{ type: 'PodScheduled', status: 'False', lastTransitionTime, reason, message }];
  }
  if (nominationChanged) status.nominatedNodeName = nominatingInfo.nominatedNodeName || null;
  try {
    await sched.client.patch(Resources.pods, pod.metadata.namespace, pod.metadata.name!, 'application/strategic-merge-patch+json', { status }, { subresource: 'status' });
  } catch (error) {
    sched.log.warn({ pod: metaNamespaceKey(pod), err: (error as Error).message }, 'error updating pod');
  }
}

/** Events refer to the pod by kind, whatever the informer's copy carries. */
function asPod(pod: Pod): Pod {
  return { ...pod, apiVersion: 'v1', kind: 'Pod' };
}

function truncateMessage(message: string): string {
  if (message.length <= NOTE_LENGTH_LIMIT) return message;
  const suffix = ' ...';
  return message.slice(0, NOTE_LENGTH_LIMIT - suffix.length) + suffix;
}
