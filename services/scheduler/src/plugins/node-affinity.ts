import { getRequiredNodeAffinity, OBJECT_NAME_FIELD, podNodeAffinity, PreferredSchedulingTerms, type RequiredNodeAffinity } from '@kubelab/component-helpers';
import { ActionType, type ClusterEventWithHint } from '../framework/cluster-event';
import type { CycleState } from '../framework/cycle-state';
import type { NodeInfo } from '../framework/node-info';
import { Status } from '../framework/status';
import { MAX_NODE_SCORE, type FilterPlugin, type NodeScore, type Pod, type PreFilterPlugin, type PreScorePlugin, type ScorePlugin, type Snapshot } from '../framework/types';
import { defaultNormalizeScore } from './helper/normalize-score';

export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
/** Every term pins the pod to node names (matchFields metadata.name) and no name is left. */
export const ERR_REASON_CONFLICT = 'pod affinity terms conflict';

const PRE_FILTER_KEY = 'PreFilterNodeAffinity';
const PRE_SCORE_KEY = 'PreScoreNodeAffinity';

/**
 * spec.nodeSelector and node affinity (nodeaffinity.NodeAffinity). Filter: the required part;
 * a node that does not match stays unmatched whatever is evicted, so UnschedulableAndUnresolvable.
 * PreFilter narrows the nodes when every term names them (matchFields metadata.name In).
 * Score: the weights of the preferred terms a node matches, scaled so the best node scores 100.
 */
export class NodeAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  static readonly NAME = 'NodeAffinity';
  readonly name = NodeAffinity.NAME;

  preFilter(state: CycleState, pod: Pod, _snapshot: Snapshot): { status: Status; nodeNames?: Set<string> } {
    const required = podNodeAffinity(pod)?.requiredDuringSchedulingIgnoredDuringExecution;
    if (!required && !pod.spec?.nodeSelector) return { status: Status.skip() };
    state.write(PRE_FILTER_KEY, getRequiredNodeAffinity(pod));
    const terms = required?.nodeSelectorTerms ?? [];
    if (!terms.length) return { status: Status.success() };
    let nodeNames: Set<string> | undefined;
    for (const term of terms) {
      let termNames: Set<string> | undefined;
      for (const r of term.matchFields ?? []) {
        if (r.key !== OBJECT_NAME_FIELD || r.operator !== 'In') continue;
        // Requirements of a term are ANDed: intersect.
        const names = new Set(r.values ?? []);
        termNames = termNames ? new Set([...termNames].filter((n) => names.has(n))) : names;
      }
      // A term that does not name nodes lets every node through (terms are ORed).
      if (!termNames) return { status: Status.success() };
      nodeNames = new Set([...(nodeNames ?? []), ...termNames]);
    }
    if (nodeNames && nodeNames.size === 0) return { status: Status.unresolvable(ERR_REASON_CONFLICT) };
    return { status: Status.success(), nodeNames };
  }

  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    const required = state.read<RequiredNodeAffinity>(PRE_FILTER_KEY) ?? getRequiredNodeAffinity(pod);
    return required.match(nodeInfo.node) ? Status.success() : Status.unresolvable(ERR_REASON_POD);
  }

  preScore(state: CycleState, pod: Pod): Status {
    const preferred = preferredSchedulingTerms(pod);
    if (preferred.isEmpty()) return Status.skip();
    state.write(PRE_SCORE_KEY, preferred);
    return Status.success();
  }

  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): { score: number; status: Status } {
    const preferred = state.read<PreferredSchedulingTerms>(PRE_SCORE_KEY) ?? preferredSchedulingTerms(pod);
    return { score: preferred.score(nodeInfo.node), status: Status.success() };
  }

  normalizeScore(_state: CycleState, _pod: Pod, scores: NodeScore[]): Status {
    defaultNormalizeScore(MAX_NODE_SCORE, false, scores);
    return Status.success();
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      {
        event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeLabel, label: 'NodeAdd|NodeLabelChange' },
        // Queue when the node matches now and did not before.
        queueingHint: (pod, oldNode, newNode) => {
          const required = getRequiredNodeAffinity(pod);
          return newNode && required.match(newNode) && !(oldNode && required.match(oldNode)) ? 'Queue' : 'QueueSkip';
        },
      },
    ];
  }
}

function preferredSchedulingTerms(pod: Pod): PreferredSchedulingTerms {
  return new PreferredSchedulingTerms(podNodeAffinity(pod)?.preferredDuringSchedulingIgnoredDuringExecution ?? []);
}
