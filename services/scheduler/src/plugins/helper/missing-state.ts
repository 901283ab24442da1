import { Status } from '../../framework/status';

/** What Filter or Score answers when the state its PreFilter or PreScore should have written is not in the cycle state. */
export function missingState(key: string): Status {
  return Status.error(`error reading "${key}" from cycleState: not found`);
}
