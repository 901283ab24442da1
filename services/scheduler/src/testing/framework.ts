import type { InformerFactory } from '@kubelab/client';
import { ExistingAntiAffinityTerms } from '../cache/existing-anti-affinity-terms';
import { PodLabelIndex } from '../cache/pod-label-index';
import { countPodsWithScoringAffinity } from '../cache/snapshot';
import type { CycleState } from '../framework/cycle-state';
import type { NodeInfo } from '../framework/node-info';
import type { Status } from '../framework/status';
import type { FilterPlugin, FrameworkHandle, Pod, Snapshot } from '../framework/types';

/**
 * Just enough of the framework to run one plugin in a unit test, without the scheduler's cache:
 * a snapshot of NodeInfos built by hand, and a handle whose preemption callbacks fail the test
 * if a plugin under test calls them.
 */

/** A snapshot of these NodeInfos; `namespaces` gives the labels namespaceSelector sees (none when left out). */
export function snapshotOf(nodeInfos: NodeInfo[], namespaces: Record<string, Record<string, string> | undefined> = {}): Snapshot {
  return {
    nodeInfos: () => nodeInfos,
    get: (name) => nodeInfos.find((n) => n.name === name),
    havePodsWithAffinity: () => nodeInfos.filter((n) => n.podsWithAffinity.length > 0),
    numPodsWithScoringAffinity: () => nodeInfos.reduce((sum, n) => sum + countPodsWithScoringAffinity(n), 0),
    // Indexed on each call, as the cache keeps them, so that plugin tests go through the same paths.
    existingAntiAffinityTerms: () => {
      const terms = new ExistingAntiAffinityTerms();
      for (const nodeInfo of nodeInfos) terms.addNode(nodeInfo);
      return terms.terms();
    },
    forEachCandidatePod: (selector, visit) => {
      const index = new PodLabelIndex();
      for (const nodeInfo of nodeInfos) index.addNode(nodeInfo);
      index.forEachCandidate(selector, nodeInfos, visit);
    },
    namespaceLabels: (ns) => namespaces[ns] ?? {},
  };
}

/** A handle with the snapshot (and the informers, for plugins that read other objects); running other plugins or evicting throws. */
export function pluginHandle(snapshot: Snapshot, sharedInformerFactory?: InformerFactory): FrameworkHandle {
  const notUsed = () => {
    throw new Error('not used by the plugin under test');
  };
  return {
    snapshot: () => snapshot,
    runFilterPlugins: notUsed,
    runFilterPluginsWithNominatedPods: notUsed,
    runPreFilterExtensionAddPod: notUsed,
    runPreFilterExtensionRemovePod: notUsed,
    evict: notUsed,
    nominatedPodsForNode: notUsed,
    ...(sharedInformerFactory ? { sharedInformerFactory } : {}),
  };
}

/** Filter's verdict per node: 'ok', or "<code>: <reasons>". */
export function filterVerdicts(plugin: FilterPlugin, state: CycleState, pod: Pod, nodeInfos: readonly NodeInfo[]): Record<string, string> {
  const verdict = (s: Status) => (s.isSuccess() ? 'ok' : `${s.code}: ${s.message()}`);
  return Object.fromEntries(nodeInfos.map((n) => [n.name, verdict(plugin.filter(state, pod, n))]));
}
