import type { TopologySpreadConstraint } from './pod-topology-spread-constraints';

interface CriticalPath {
  topologyValue: string;
  matchNum: number;
}

/**
 * The two domains with the fewest matching pods for one constraint (criticalPaths): [0] always
 * holds the minimum; [1] is at least that, not necessarily the second smallest. Two are enough
 * to keep the minimum right while preemption moves one domain's count up or down.
 */
export class CriticalPaths {
  constructor(readonly paths: [CriticalPath, CriticalPath] = [{ topologyValue: '', matchNum: Number.MAX_SAFE_INTEGER }, { topologyValue: '', matchNum: Number.MAX_SAFE_INTEGER }]) {}

  get min(): number {
    return this.paths[0].matchNum;
  }

  update(topologyValue: string, matchNum: number): void {
    const p = this.paths;
    const existing = topologyValue === p[0].topologyValue ? p[0] : topologyValue === p[1].topologyValue ? p[1] : undefined;
    if (existing) {
      existing.matchNum = matchNum;
      if (p[0].matchNum > p[1].matchNum) p.reverse();
    } else if (matchNum < p[0].matchNum) {
      p[1] = p[0];
      p[0] = { topologyValue, matchNum };
    } else if (matchNum < p[1].matchNum) {
      p[1] = { topologyValue, matchNum };
    }
  }

  clone(): CriticalPaths {
    return new CriticalPaths([{ ...this.paths[0] }, { ...this.paths[1] }]);
  }
}

/**
 * What PodTopologySpread's PreFilter computes for Filter: the pod's DoNotSchedule constraints
 * and, per constraint, how many matching pods each domain holds and which domains hold fewest.
 */
export class PodTopologySpreadPreFilterState {
  constructor(
    readonly constraints: readonly TopologySpreadConstraint[],
    /** Per constraint: topology value → matching pods. */
    readonly tpValueToMatchNum: Array<Map<string, number>>,
    readonly criticalPaths: CriticalPaths[],
  ) {}

  /**
   * The global minimum the skew is measured from: the fewest matching pods in any domain, or 0
   * while there are fewer eligible domains than the constraint's minDomains.
   */
  minMatchNum(i: number): number {
    const domains = this.tpValueToMatchNum[i]!.size;
    return domains < this.constraints[i]!.minDomains ? 0 : this.criticalPaths[i]!.min;
  }

  /** Moves one domain's count by `delta` and keeps the critical paths right. */
  update(i: number, topologyValue: string, delta: number): void {
    const counts = this.tpValueToMatchNum[i]!;
    const count = (counts.get(topologyValue) ?? 0) + delta;
    counts.set(topologyValue, count);
    this.criticalPaths[i]!.update(topologyValue, count);
  }

  clone(): PodTopologySpreadPreFilterState {
    return new PodTopologySpreadPreFilterState(
      this.constraints,
      this.tpValueToMatchNum.map((m) => new Map(m)),
      this.criticalPaths.map((p) => p.clone()),
    );
  }
}
