import { isNotFound, metaTime, Resources, type Clock, type EventRecorder, type InformerFactory, type ObjectsClient } from '@kubelab/client';
import { ActionType, type ClusterEventWithHint } from './cluster-event';
import type { CycleState } from './cycle-state';
import type { NodeInfo } from './node-info';
import { podPriority } from './pod-info';
import { Status } from './status';
import {
  MAX_NODE_SCORE,
  type FilterPlugin,
  type FrameworkHandle,
  type NodeScore,
  type NodeToStatus,
  type Plugin,
  type Pod,
  type PodInfo,
  type PostFilterPlugin,
  type PostFilterResult,
  type PreFilterPlugin,
  type PreScorePlugin,
  type QueueSortPlugin,
  type QueuedPodInfo,
  type ScorePlugin,
  type Snapshot,
} from './types';

/** One plugin of a profile, in the order it runs at each extension point. */
export interface PluginEntry {
  name: string;
  factory: (handle: FrameworkHandle) => Plugin;
  /** Multiplies its Score (1 when not given, as in Kubernetes). */
  weight?: number;
}

export interface FrameworkOptions {
  /** The profile's schedulerName ("default-scheduler"). */
  profileName: string;
  plugins: readonly PluginEntry[];
  /** The snapshot each cycle works on (refreshed in place by the cache before the cycle). */
  snapshot: Snapshot;
  nominator: { nominatedPodsForNode(nodeName: string): readonly PodInfo[] };
  client: ObjectsClient;
  recorder: Pick<EventRecorder, 'event'>;
  clock: Clock;
  /** Informers of other kinds plugins may read (PodTopologySpread: Services, ReplicaSets, StatefulSets). */
  sharedInformerFactory?: InformerFactory;
}

export interface PreFilterResult {
  status: Status;
  /** The nodes the PreFilter plugins narrowed the cycle to (their intersection); undefined: all. */
  nodeNames?: Set<string>;
  /** The plugins that narrowed it: a cluster event they care about may widen it again. */
  pluginsWithNodes: Set<string>;
}

/** Every registered plugin, any event: what a plugin without eventsToRegister is woken by. */
const ALL_EVENTS: ClusterEventWithHint[] = [{ event: { resource: '*', actionType: ActionType.All, label: 'WildCard' } }];

/**
 * The runtime of one scheduling profile (Kubernetes' frameworkImpl): the plugins sorted by
 * extension point, run in the profile's order with Kubernetes' rules (a Skip from PreFilter or
 * PreScore leaves out that plugin's Filter or Score for the cycle; Filter stops at the first
 * rejection; each Score is normalized and multiplied by its weight). It is also the handle the
 * plugins get, so preemption can run the other plugins and evict.
 */
export class Framework implements FrameworkHandle {
  readonly profileName: string;
  readonly plugins: readonly Plugin[];
  readonly sharedInformerFactory: InformerFactory | undefined;
  private readonly queueSortPlugin: QueueSortPlugin | undefined;
  private readonly preFilterPlugins: PreFilterPlugin[] = [];
  private readonly filterPlugins: FilterPlugin[] = [];
  private readonly postFilterPlugins: PostFilterPlugin[] = [];
  private readonly preScorePlugins: PreScorePlugin[] = [];
  private readonly scorePlugins: Array<{ plugin: ScorePlugin; weight: number }> = [];
  /** Per cycle state, the Filter plugins it runs (filterPluginsToRun). */
  private readonly filterPluginsByState = new WeakMap<CycleState, { skipped: number; plugins: FilterPlugin[] }>();
  /** Per Score plugin, the NodeScores runScorePlugins fills in. */
  private readonly nodeScores: NodeScore[][] = [];

  constructor(private readonly options: FrameworkOptions) {
    this.profileName = options.profileName;
    this.sharedInformerFactory = options.sharedInformerFactory;
    const plugins: Plugin[] = [];
    for (const entry of options.plugins) {
      const plugin = entry.factory(this);
      plugins.push(plugin);
      const has = (method: string) => typeof (plugin as unknown as Record<string, unknown>)[method] === 'function';
      if (has('less')) this.queueSortPlugin ??= plugin as QueueSortPlugin;
      if (has('preFilter')) this.preFilterPlugins.push(plugin as PreFilterPlugin);
      if (has('filter')) this.filterPlugins.push(plugin as FilterPlugin);
      if (has('postFilter')) this.postFilterPlugins.push(plugin as PostFilterPlugin);
      if (has('preScore')) this.preScorePlugins.push(plugin as PreScorePlugin);
      if (has('score')) this.scorePlugins.push({ plugin: plugin as ScorePlugin, weight: entry.weight ?? 1 });
    }
    this.plugins = plugins;
  }

  /** The QueueSort plugin's order (FIFO when the profile has none). */
  queueSortLess(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
    return this.queueSortPlugin ? this.queueSortPlugin.less(a, b) : a.timestamp < b.timestamp;
  }

  hasFilterPlugins(): boolean {
    return this.filterPlugins.length > 0;
  }

  hasPostFilterPlugins(): boolean {
    return this.postFilterPlugins.length > 0;
  }

  hasScorePlugins(): boolean {
    return this.scorePlugins.length > 0;
  }

  /** The events each plugin registered (plugin name → events), for the scheduling queue's hints. */
  eventsToRegister(): Map<string, ClusterEventWithHint[]> {
    const events = new Map<string, ClusterEventWithHint[]>();
    for (const plugin of this.plugins) events.set(plugin.name, plugin.eventsToRegister ? plugin.eventsToRegister() : ALL_EVENTS);
    return events;
  }

  snapshot(): Snapshot {
    return this.options.snapshot;
  }

  /**
   * PreFilter: every plugin in order. UnschedulableAndUnresolvable stops at once; Unschedulable
   * lets the others run (preemption may need their state) and is returned at the end; node
   * names are intersected, and an empty intersection rejects the pod.
   */
  runPreFilterPlugins(state: CycleState, pod: Pod): PreFilterResult {
    let nodeNames: Set<string> | undefined;
    let returnStatus = Status.success();
    const pluginsWithNodes = new Set<string>();
    for (const plugin of this.preFilterPlugins) {
      const result = plugin.preFilter(state, pod, this.options.snapshot);
      const status = result.status;
      if (status.isSkip()) {
        state.skipFilterPlugins.add(plugin.name);
        continue;
      }
      if (!status.isSuccess()) {
        status.withPlugin(plugin.name);
        if (status.code === 'UnschedulableAndUnresolvable') return { status, pluginsWithNodes };
        if (status.code === 'Unschedulable') {
          returnStatus = status;
          continue;
        }
        return { status: Status.error(`running PreFilter plugin "${plugin.name}": ${status.message()}`).withPlugin(plugin.name), pluginsWithNodes };
      }
      if (!result.nodeNames) continue;
      pluginsWithNodes.add(plugin.name);
      nodeNames = nodeNames ? new Set([...nodeNames].filter((n) => result.nodeNames!.has(n))) : new Set(result.nodeNames);
      if (nodeNames.size === 0) {
        const names = [...pluginsWithNodes].sort();
        const message = names.length === 1 ? `node(s) didn't satisfy plugin ${names[0]}` : `node(s) didn't satisfy plugin(s) [${names.join(' ')}] simultaneously`;
        return { status: Status.unresolvable(message), nodeNames, pluginsWithNodes };
      }
    }
    return { status: returnStatus, nodeNames, pluginsWithNodes };
  }

  /** Filter: Success, or the first plugin's rejection (with that plugin's name on it). */
  runFilterPlugins(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    for (const plugin of this.filterPluginsToRun(state)) {
      const status = plugin.filter(state, pod, nodeInfo);
      if (status.isSuccess()) continue;
      if (!status.isRejected()) return Status.error(`running "${plugin.name}" filter plugin: ${status.message()}`).withPlugin(plugin.name);
      return status.withPlugin(plugin.name);
    }
    return Status.success();
  }

  /**
   * The Filter plugins that the state's PreFilter did not skip, worked out once per state rather
   * than once per node. PreFilter only ever adds to skipFilterPlugins, so its size tells whether
   * the list is still right.
   */
  private filterPluginsToRun(state: CycleState): readonly FilterPlugin[] {
    const skip = state.skipFilterPlugins;
    let run = this.filterPluginsByState.get(state);
    if (!run || run.skipped !== skip.size) {
      run = { skipped: skip.size, plugins: this.filterPlugins.filter((plugin) => !skip.has(plugin.name)) };
      this.filterPluginsByState.set(state, run);
    }
    return run.plugins;
  }

  /**
   * Filter as if the pods nominated to the node with at least this pod's priority were already
   * there (they hold the room an earlier preemption made for them), and, if the node passes,
   * once more without them: pod affinity to one of them must not count on its being there.
   */
  runFilterPluginsWithNominatedPods(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    const withNominated = this.addNominatedPods(state, pod, nodeInfo);
    if (!withNominated) return this.runFilterPlugins(state, pod, nodeInfo);
    if ('code' in withNominated) return withNominated;
    const status = this.runFilterPlugins(withNominated.state, pod, withNominated.nodeInfo);
    if (!status.isSuccess()) return status;
    return this.runFilterPlugins(state, pod, nodeInfo);
  }

  private addNominatedPods(state: CycleState, pod: Pod, nodeInfo: NodeInfo): { state: CycleState; nodeInfo: NodeInfo } | Status | undefined {
    const nominated = this.options.nominator.nominatedPodsForNode(nodeInfo.name);
    if (nominated.length === 0) return undefined;
    const priority = podPriority(pod);
    const relevant = nominated.filter((p) => podPriority(p.pod) >= priority && p.pod.metadata.uid !== pod.metadata.uid);
    if (!relevant.length) return undefined;
    const stateOut = state.clone();
    const nodeInfoOut = nodeInfo.clone();
    for (const podInfo of relevant) {
      nodeInfoOut.addPod(podInfo);
      const status = this.runPreFilterExtensionAddPod(stateOut, pod, podInfo, nodeInfoOut);
      if (!status.isSuccess()) return status;
    }
    return { state: stateOut, nodeInfo: nodeInfoOut };
  }

  runPreFilterExtensionAddPod(state: CycleState, podToSchedule: Pod, podInfo: PodInfo, nodeInfo: NodeInfo): Status {
    for (const plugin of this.preFilterPlugins) {
      if (!plugin.addPod || state.skipFilterPlugins.has(plugin.name)) continue;
      const status = plugin.addPod(state, podToSchedule, podInfo, nodeInfo);
      if (!status.isSuccess()) return Status.error(`running AddPod on PreFilter plugin "${plugin.name}": ${status.message()}`).withPlugin(plugin.name);
    }
    return Status.success();
  }

  runPreFilterExtensionRemovePod(state: CycleState, podToSchedule: Pod, podInfo: PodInfo, nodeInfo: NodeInfo): Status {
    for (const plugin of this.preFilterPlugins) {
      if (!plugin.removePod || state.skipFilterPlugins.has(plugin.name)) continue;
      const status = plugin.removePod(state, podToSchedule, podInfo, nodeInfo);
      if (!status.isSuccess()) return Status.error(`running RemovePod on PreFilter plugin "${plugin.name}": ${status.message()}`).withPlugin(plugin.name);
    }
    return Status.success();
  }

  /**
   * PostFilter (preemption), once no node passed Filter: the first plugin that succeeds wins;
   * otherwise the reasons of all are joined, and the last nomination a plugin made is kept.
   */
  async runPostFilterPlugins(state: CycleState, pod: Pod, filteredNodeStatuses: NodeToStatus): Promise<PostFilterResult> {
    let nominated: PostFilterResult | undefined;
    const reasons: string[] = [];
    let rejector = '';
    for (const plugin of this.postFilterPlugins) {
      const result = await plugin.postFilter(state, pod, filteredNodeStatuses);
      if (result.status.isSuccess()) return result;
      if (result.status.code === 'UnschedulableAndUnresolvable') return { ...result, status: result.status.withPlugin(plugin.name) };
      if (!result.status.isRejected()) return { status: Status.error(result.status.message()).withPlugin(plugin.name) };
      if (result.nominatedNodeName !== undefined) nominated = result;
      reasons.push(...result.status.reasons);
      rejector ||= plugin.name;
    }
    const status = Status.unschedulable(...reasons).withPlugin(rejector);
    return nominated ? { status, nominatedNodeName: nominated.nominatedNodeName } : { status };
  }

  /** PreScore: a Skip leaves that plugin's Score out of this cycle; anything else but Success is an error. */
  runPreScorePlugins(state: CycleState, pod: Pod, nodes: NodeInfo[]): Status {
    for (const plugin of this.preScorePlugins) {
      const status = plugin.preScore(state, pod, nodes);
      if (status.isSkip()) state.skipScorePlugins.add(plugin.name);
      else if (!status.isSuccess()) return Status.error(`running PreScore plugin "${plugin.name}": ${status.message()}`).withPlugin(plugin.name);
    }
    return Status.success();
  }

  /** Score: each plugin scores every node, normalizes, and adds score × weight to the node's total. */
  runScorePlugins(state: CycleState, pod: Pod, nodes: NodeInfo[]): { status: Status; totals: number[] } {
    const totals = new Array<number>(nodes.length).fill(0);
    for (const [p, { plugin, weight }] of this.scorePlugins.entries()) {
      if (state.skipScorePlugins.has(plugin.name)) continue;
      const scores = this.reusedNodeScores(p, nodes.length);
      for (let i = 0; i < nodes.length; i++) {
        const node = nodes[i]!;
        const result = plugin.score(state, pod, node);
        if (!result.status.isSuccess()) return { status: Status.error(`running Score plugin "${plugin.name}": ${result.status.message()}`).withPlugin(plugin.name), totals };
        const nodeScore = scores[i]!;
        nodeScore.name = node.name;
        nodeScore.score = result.score;
      }
      if (plugin.normalizeScore) {
        const status = plugin.normalizeScore(state, pod, scores);
        if (!status.isSuccess()) return { status: Status.error(`running Normalize on Score plugin "${plugin.name}": ${status.message()}`).withPlugin(plugin.name), totals };
      }
      for (let i = 0; i < scores.length; i++) {
        const score = scores[i]!.score;
        if (score > MAX_NODE_SCORE || score < 0) return { status: Status.error(`plugin "${plugin.name}" returns an invalid score ${score}, it should in the range of [0, ${MAX_NODE_SCORE}] after normalizing`), totals };
        totals[i]! += score * weight;
      }
    }
    return { status: Status.success(), totals };
  }

  /**
   * The Score plugin's list of `length` NodeScores, the same objects every cycle: a cycle scores
   * hundreds of nodes per plugin, and nothing keeps the list past the cycle.
   */
  private reusedNodeScores(plugin: number, length: number): NodeScore[] {
    const scores = (this.nodeScores[plugin] ??= []);
    while (scores.length < length) scores.push({ name: '', score: 0 });
    scores.length = length;
    return scores;
  }

  /**
   * Evicts a preemption victim as Kubernetes does: the DisruptionTarget condition first (so
   * whoever watches the pod knows why it goes), then an ordinary delete with its grace period,
   * then a Normal "Preempted" event on the victim. A victim already gone is not an error.
   */
  async evict(victim: Pod, preemptor: Pod, nodeName: string): Promise<void> {
    const { namespace, name } = victim.metadata;
    const schedulerName = (preemptor.spec?.schedulerName as string | undefined) ?? this.profileName;
    const condition = {
      type: 'DisruptionTarget',
      status: 'True',
      reason: 'PreemptionByScheduler',
      message: `${schedulerName}: preempting to accommodate a higher priority pod`,
    };
    const existing = ((victim.status?.conditions ?? []) as Array<Record<string, unknown>>).find((c) => c.type === condition.type);
    try {
      if (!existing || existing.status !== condition.status || existing.reason !== condition.reason || existing.message !== condition.message) {
        const lastTransitionTime = existing?.status === condition.status ? existing.lastTransitionTime : metaTime(this.options.clock.now());
        await this.options.client.patch(Resources.pods, namespace, name!, 'application/strategic-merge-patch+json', { status: { conditions: [{ ...condition, lastTransitionTime }] } }, { subresource: 'status' });
      }
      await this.options.client.delete(Resources.pods, namespace, name!);
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    this.options.recorder.event(victim, 'Normal', 'Preempted', `Preempted by pod ${preemptor.metadata.uid ?? ''} on node ${nodeName}`);
  }

  nominatedPodsForNode(nodeName: string): readonly PodInfo[] {
    return this.options.nominator.nominatedPodsForNode(nodeName);
  }
}

