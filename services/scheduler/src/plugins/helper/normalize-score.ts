import type { NodeScore } from '../../framework/types';

/**
 * Scales scores to 0..maxPriority in proportion to the highest (helper.DefaultNormalizeScore),
 * in integers as Kubernetes computes them. `reverse` turns "more is worse" counts (untolerated
 * PreferNoSchedule taints) into scores where fewer is better.
 */
export function defaultNormalizeScore(maxPriority: number, reverse: boolean, scores: NodeScore[]): void {
  let maxCount = 0;
  for (const s of scores) if (s.score > maxCount) maxCount = s.score;
  if (maxCount === 0) {
    if (reverse) for (const s of scores) s.score = maxPriority;
    return;
  }
  for (const s of scores) {
    const score = Math.trunc((maxPriority * s.score) / maxCount);
    s.score = reverse ? maxPriority - score : score;
  }
}
