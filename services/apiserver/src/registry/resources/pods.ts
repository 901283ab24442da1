import { defaultPodSpec, defaultRequestsFromLimits } from './pod-spec';
import { FieldPath } from '@kubelab/apimachinery';
import { validatePodSpec } from './pod-validation';
import { podSpecWarnings } from './pod-warnings';
import type { FieldErrorList } from '../../errors';
import { age, ageColumn, column, humanDuration, nameColumn } from '../printing';
import type { KubeObject, ResourceType } from '../types';

interface ContainerState {
  waiting?: { reason?: string };
  running?: { startedAt?: string };
  terminated?: { exitCode: number; signal?: number; reason?: string; finishedAt?: string };
}
interface ContainerStatus {
  name: string;
  ready: boolean;
  started?: boolean;
  restartCount: number;
  state?: ContainerState;
  lastState?: ContainerState;
}
interface PodStatus {
  phase?: string;
  reason?: string;
  podIP?: string;
  podIPs?: Array<{ ip: string }>;
  nominatedNodeName?: string;
  conditions?: Array<{ type: string; status: string; reason?: string }>;
  initContainerStatuses?: ContainerStatus[];
  containerStatuses?: ContainerStatus[];
}
interface PodSpec {
  nodeName?: string;
  containers?: Array<{ name?: string; image?: string }>;
  initContainers?: Array<{ name?: string; restartPolicy?: string }>;
  readinessGates?: Array<{ conditionType: string }>;
}

/** READY, STATUS and RESTARTS exactly as kubectl's pod printer derives them from the status. */
export function podStatusColumns(pod: KubeObject, now: Date): { ready: string; reason: string; restarts: string } {
  const spec = (pod.spec ?? {}) as PodSpec;
  const status = (pod.status ?? {}) as PodStatus;
  let restarts = 0;
  let lastRestart = 0;
  const noteRestart = (c: ContainerStatus) => {
    restarts += c.restartCount ?? 0;
    const finished = c.lastState?.terminated?.finishedAt;
    if (finished) lastRestart = Math.max(lastRestart, Date.parse(finished));
  };
  let ready = 0;
  const total = spec.containers?.length ?? 0;
  let reason = status.reason || status.phase || '';
  const initialized = status.conditions?.some((c) => c.type === 'Initialized' && c.status === 'True') ?? false;
  let initializing = false;
  const inits = status.initContainerStatuses ?? [];
  for (let i = 0; i < inits.length; i++) {
    const c = inits[i]!;
    noteRestart(c);
    const t = c.state?.terminated;
    if (t && t.exitCode === 0) continue;
    const sidecar = spec.initContainers?.find((s) => s.name === c.name)?.restartPolicy === 'Always';
    if (sidecar && c.started) continue;
    if (t) reason = t.reason ? `Init:${t.reason}` : t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode}`;
    else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${spec.initContainers?.length ?? inits.length}`;
    initializing = true;
    break;
  }
  if (!initializing || initialized) {
    let hasRunning = false;
    const containers = status.containerStatuses ?? [];
    for (let i = containers.length - 1; i >= 0; i--) {
      const c = containers[i]!;
      noteRestart(c);
      const state = c.state ?? {};
      if (state.waiting?.reason) reason = state.waiting.reason;
      else if (state.terminated?.reason) reason = state.terminated.reason;
      else if (state.terminated) reason = state.terminated.signal ? `Signal:${state.terminated.signal}` : `ExitCode:${state.terminated.exitCode}`;
      else if (c.ready && state.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
  }
  if (pod.metadata.deletionTimestamp) reason = status.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  const restartText = restarts !== 0 && lastRestart > 0 ? `${restarts} (${humanDuration(now.getTime() - lastRestart)} ago)` : String(restarts);
  return { ready: `${ready}/${total}`, reason, restarts: restartText };
}

/** Kubernetes' ValidatePodCreate/ValidatePodUpdate, for the spec: after defaults, as ValidatePodSpec. */
function validatePod(pod: KubeObject): FieldErrorList {
  return validatePodSpec((pod.spec ?? {}) as Record<string, unknown>, FieldPath.of('spec'), { resourceIsPod: true });
}

export const pods: ResourceType = {
  group: '',
  version: 'v1',
  kind: 'Pod',
  resource: 'pods',
  singular: 'pod',
  shortNames: ['po'],
  categories: ['all'],
  namespaced: true,
  subresources: ['attach', 'binding', 'ephemeralcontainers', 'eviction', 'exec', 'log', 'portforward', 'proxy', 'status'],
  strategy: {
    prepareForCreate(pod) {
      const spec = (pod.spec ??= {}) as Record<string, unknown>;
      defaultPodSpec(spec);
      defaultRequestsFromLimits(spec);
      // What the ServiceAccount admission plugin adds (Priority and DefaultTolerationSeconds: registry/admission).
      spec.enableServiceLinks ??= true;
      spec.serviceAccountName ??= 'default';
      spec.serviceAccount = spec.serviceAccountName;
      pod.status = { phase: 'Pending', qosClass: qosClass(pod) };
    },
    prepareForUpdate(pod, old) {
      pod.status = old.status;
      // Kubernetes defaults every object it decodes, so a replaced pod spec gets its defaults again.
      const spec = (pod.spec ??= {}) as Record<string, unknown>;
      defaultPodSpec(spec);
      defaultRequestsFromLimits(spec);
      spec.enableServiceLinks ??= true;
    },
    validate: validatePod,
    // Only on create: people rarely write pods by hand after that, and the kubelet writes them often.
    warningsOnCreate: (pod) => podSpecWarnings(pod as never, ''),
    selectableFields: (pod) => ({
      'spec.nodeName': String((pod.spec as PodSpec | undefined)?.nodeName ?? ''),
      'spec.restartPolicy': String(pod.spec?.restartPolicy ?? ''),
      'spec.schedulerName': String(pod.spec?.schedulerName ?? ''),
      'spec.serviceAccountName': String(pod.spec?.serviceAccountName ?? ''),
      'status.phase': String(pod.status?.phase ?? ''),
      'status.podIP': String(pod.status?.podIP ?? ''),
      'status.nominatedNodeName': String(pod.status?.nominatedNodeName ?? ''),
    }),
  },
  printer: {
    columns: [
      nameColumn,
      column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
      column('Status', 'string', 'The aggregate status of the containers in this pod.'),
      column('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
      ageColumn,
      column('IP', 'string', 'The IP address assigned to the pod', 1),
      column('Node', 'string', 'The name of the node this pod is assigned to.', 1),
      column('Nominated Node', 'string', 'The name of the node that the pod is nominated to.', 1),
      column('Readiness Gates', 'string', 'The readiness gates of the pod.', 1),
    ],
    row(pod, now) {
      const { ready, reason, restarts } = podStatusColumns(pod, now);
      const status = (pod.status ?? {}) as PodStatus;
      const spec = (pod.spec ?? {}) as PodSpec;
      const gates = spec.readinessGates ?? [];
      const gatesText = gates.length === 0 ? '<none>' : `${gates.filter((g) => status.conditions?.some((c) => c.type === g.conditionType && c.status === 'True')).length}/${gates.length}`;
      return [pod.metadata.name, ready, reason, restarts, age(pod.metadata.creationTimestamp, now), status.podIPs?.[0]?.ip ?? status.podIP ?? '<none>', spec.nodeName || '<none>', status.nominatedNodeName || '<none>', gatesText];
    },
  },
};

/** Guaranteed when every container has equal cpu and memory requests and limits; BestEffort with none. */
export function qosClass(pod: KubeObject): string {
  const containers = ((pod.spec?.containers as Array<{ resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }>) ?? []);
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const requests = { ...(c.resources?.limits ?? {}), ...(c.resources?.requests ?? {}) };
    const limits = c.resources?.limits ?? {};
    if (Object.keys(requests).length || Object.keys(limits).length) any = true;
    for (const r of ['cpu', 'memory']) if (!limits[r] || requests[r] !== limits[r]) guaranteed = false;
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
