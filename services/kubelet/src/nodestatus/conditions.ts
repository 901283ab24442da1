/** A Node's condition (v1.NodeCondition). */
export interface NodeCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastHeartbeatTime?: string | null;
  lastTransitionTime?: string | null;
  reason?: string;
  message?: string;
}

/** Called with an event reason ("NodeHasSufficientMemory") when a condition changes as the kubelet reports it. */
export type RecordNodeEvent = (reason: string) => void;

interface PressureTexts {
  type: 'MemoryPressure' | 'DiskPressure' | 'PIDPressure';
  /** [reason, message, event] with pressure, then without. */
  pressure: [string, string, string];
  none: [string, string, string];
}

/** The kubelet's pressure conditions, in the order it sets them, with its reasons, messages and event reasons. */
const PRESSURE: PressureTexts[] = [
  {
    type: 'MemoryPressure',
    pressure: ['KubeletHasInsufficientMemory', 'kubelet has insufficient memory available', 'NodeHasInsufficientMemory'],
    none: ['KubeletHasSufficientMemory', 'kubelet has sufficient memory available', 'NodeHasSufficientMemory'],
  },
  {
    type: 'DiskPressure',
    pressure: ['KubeletHasDiskPressure', 'kubelet has disk pressure', 'NodeHasDiskPressure'],
    none: ['KubeletHasNoDiskPressure', 'kubelet has no disk pressure', 'NodeHasNoDiskPressure'],
  },
  {
    type: 'PIDPressure',
    pressure: ['KubeletHasInsufficientPID', 'kubelet has insufficient PID available', 'NodeHasInsufficientPID'],
    none: ['KubeletHasSufficientPID', 'kubelet has sufficient PID available', 'NodeHasSufficientPID'],
  },
];

/** What the node's condition setters are told: is there pressure, and what keeps the node from being Ready. */
export interface NodeHealth {
  memoryPressure: boolean;
  diskPressure: boolean;
  pidPressure: boolean;
  /** Why the node is not Ready (the runtime is down, ...); empty: Ready. */
  notReadyReasons: string[];
}

export const HEALTHY: NodeHealth = Object.freeze({ memoryPressure: false, diskPressure: false, pidPressure: false, notReadyReasons: [] });

/**
 * The kubelet's condition setters (pkg/kubelet/nodestatus): MemoryPressure, DiskPressure,
 * PIDPressure, then Ready. Each keeps its place in the list (other writers' conditions, such as
 * NetworkUnavailable, are left alone), refreshes lastHeartbeatTime, and moves
 * lastTransitionTime only when the status changes. A pressure condition that changes (or is new)
 * records its event (NodeHasSufficientMemory, ...); Ready records NodeReady / NodeNotReady when
 * it changes — and also when the node had no Ready condition yet, as a fresh node is seen to
 * become Ready once its runtime answered.
 */
export function setNodeConditions(existing: readonly NodeCondition[] | undefined, health: NodeHealth, now: string, record: RecordNodeEvent): NodeCondition[] {
  const conditions = (existing ?? []).map((c) => ({ ...c }));
  const pressure = { MemoryPressure: health.memoryPressure, DiskPressure: health.diskPressure, PIDPressure: health.pidPressure };
  for (const texts of PRESSURE) {
    let condition = conditions.find((c) => c.type === texts.type);
    if (!condition) {
      condition = { type: texts.type, status: 'Unknown' };
      conditions.push(condition);
    }
    condition.lastHeartbeatTime = now;
    const under = pressure[texts.type];
    const want = under ? 'True' : 'False';
    if (condition.status !== want) {
      const [reason, message, event] = under ? texts.pressure : texts.none;
      Object.assign(condition, { status: want, reason, message, lastTransitionTime: now });
      record(event);
    }
  }

  const ready: NodeCondition = health.notReadyReasons.length
    ? { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: health.notReadyReasons.join(', '), lastHeartbeatTime: now }
    : { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now };
  const index = conditions.findIndex((c) => c.type === 'Ready');
  const previous = index >= 0 ? conditions[index] : undefined;
  ready.lastTransitionTime = previous && previous.status === ready.status ? previous.lastTransitionTime ?? now : now;
  if (index >= 0) conditions[index] = ready;
  else conditions.push(ready);
  if (previous?.status !== ready.status && (previous || ready.status === 'True')) record(ready.status === 'True' ? 'NodeReady' : 'NodeNotReady');
  return conditions;
}

/** The pressure events a fresh node's conditions record (what the kubelet records on every start, from its initial Node). */
export function initialNodeEvents(health: NodeHealth): string[] {
  const events: string[] = [];
  setNodeConditions([{ type: 'Ready', status: health.notReadyReasons.length ? 'False' : 'True' }], health, '', (e) => events.push(e));
  return events;
}
