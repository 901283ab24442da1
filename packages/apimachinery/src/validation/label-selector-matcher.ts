/**
 * A label selector compiled into one function, for loops that match one selector against many
 * label sets (the scheduler matches a pod's selectors against every pod in the cluster). The
 * exact-match requirements a `matchLabels` produces (`key=value`, `key==value`, `key in (value)`)
 * compare the labels directly; any other requirement is checked by its own `matches`. It answers
 * exactly as {@link LabelSelector.matches}.
 */
import type { LabelSelector, Labels, Requirement } from './label-selector';

export type LabelsMatcher = (labels: Labels) => boolean;

const matchNothing: LabelsMatcher = () => false;
const matchEverything: LabelsMatcher = () => true;

export function compileLabelSelector(selector: LabelSelector): LabelsMatcher {
  if (selector.isNothing()) return matchNothing;
  const keys: string[] = [];
  const values: string[] = [];
  const others: Requirement[] = [];
  for (const r of selector.requirements) {
    if ((r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1) {
      keys.push(r.key);
      values.push(r.values[0]!);
    } else {
      others.push(r);
    }
  }
  // An inherited property ("constructor") is never a string, so `!==` already treats it as absent.
  if (others.length === 0) {
    if (keys.length === 0) return matchEverything;
    if (keys.length === 1) {
      const [key, value] = [keys[0]!, values[0]!];
      return (labels) => labels[key] === value;
    }
  }
  return (labels) => {
    for (let i = 0; i < keys.length; i++) if (labels[keys[i]!] !== values[i]) return false;
    for (const r of others) if (!r.matches(labels)) return false;
    return true;
  };
}
