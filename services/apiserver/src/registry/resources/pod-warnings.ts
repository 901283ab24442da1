import { parseQuantity } from '@kubelab/apimachinery';
import type { KubeObject } from '../types';

/**
 * Kubernetes' warnings for a pod spec (pkg/api/pod GetWarningsForPod / GetWarningsForPodTemplate):
 * what is accepted but most likely a mistake, returned in `Warning` headers that kubectl prints
 * (`Warning: spec.containers[0].resources.requests[memory]: fractional byte value "100m" is
 * invalid, must be an integer`). `prefix` is where the pod's metadata and spec sit: '' for a
 * pod, `spec.template.` for a workload's template.
 */
export function podSpecWarnings(template: { metadata?: { annotations?: Record<string, string> }; spec?: unknown } | undefined, prefix: string): string[] {
  const spec = (template?.spec ?? {}) as PodSpec;
  const annotations = template?.metadata?.annotations ?? {};
  const warnings: string[] = [];
  const at = (path: string) => `${prefix}${path}`;

  for (const key of Object.keys(spec.nodeSelector ?? {})) {
    const message = DEPRECATED_NODE_LABELS[key];
    if (message) warnings.push(`${at('spec.nodeSelector')}[${key}]: ${message}`);
  }
  const nodeAffinity = spec.affinity?.nodeAffinity;
  (nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []).forEach((term, i) =>
    warnings.push(...nodeSelectorTermWarnings(term, at(`spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[${i}]`))),
  );
  (nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((term, i) =>
    warnings.push(...nodeSelectorTermWarnings(term?.preference, at(`spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[${i}].preference`))),
  );
  (spec.topologySpreadConstraints ?? []).forEach((constraint, i) => {
    const path = at(`spec.topologySpreadConstraints[${i}]`);
    const message = DEPRECATED_NODE_LABELS[constraint?.topologyKey ?? ''];
    if (message) warnings.push(`${path}.topologyKey: ${constraint.topologyKey} is ${message}`);
    if (!constraint?.labelSelector) warnings.push(`${path}.labelSelector: a null labelSelector results in matching no pod`);
  });
  for (const [key, message] of DEPRECATED_ANNOTATIONS) if (key in annotations) warnings.push(`${at('metadata.annotations')}[${key}]: ${message}`);
  (spec.volumes ?? []).forEach((volume, i) => {
    for (const [plugin, message, printed = plugin] of DEPRECATED_VOLUMES) if (volume && volume[plugin] !== undefined && volume[plugin] !== null) warnings.push(`${at(`spec.volumes[${i}]`)}.${printed}: ${message}`);
  });

  duplicates(spec.hostAliases ?? [], (alias) => alias?.ip ?? '', (i, ip) => warnings.push(`${at(`spec.hostAliases[${i}]`)}.ip: duplicate ip ${JSON.stringify(ip)}`));
  duplicates(spec.imagePullSecrets ?? [], (secret) => secret?.name ?? '', (i, name) => warnings.push(`${at(`spec.imagePullSecrets[${i}]`)}.name: duplicate name ${JSON.stringify(name)}`));
  (spec.imagePullSecrets ?? []).forEach((secret, i) => {
    if (!secret?.name) warnings.push(`${at(`spec.imagePullSecrets[${i}]`)}.name: invalid empty name ""`);
  });
  for (const resource of ['memory', 'ephemeral-storage']) {
    const fractional = fractionalBytes(spec.overhead?.[resource]);
    if (fractional) warnings.push(`${at('spec.overhead')}[${resource}]: fractional byte value ${JSON.stringify(fractional)} is invalid, must be an integer`);
  }
  if (!spec.securityContext?.seccompProfile && SECCOMP_POD_ANNOTATION in annotations) warnings.push(`${at('metadata.annotations')}[${SECCOMP_POD_ANNOTATION}]: non-functional in v1.27+; use the "seccompProfile" field instead`);

  const containers = containersWithPaths(spec, at('spec'));
  for (const { container, path } of containers) {
    const seccomp = SECCOMP_CONTAINER_ANNOTATION_PREFIX + container.name;
    if (!container.securityContext?.seccompProfile && seccomp in annotations) warnings.push(`${at('metadata.annotations')}[${seccomp}]: non-functional in v1.27+; use the "seccompProfile" field instead`);
    const apparmor = APPARMOR_ANNOTATION_PREFIX + container.name;
    if (prefix && !spec.securityContext?.appArmorProfile && !container.securityContext?.appArmorProfile && apparmor in annotations) {
      warnings.push(`${at('metadata.annotations')}[${apparmor}]: deprecated since v1.30; use the "appArmorProfile" field instead`);
    }
    for (const resource of ['memory', 'ephemeral-storage']) {
      for (const kind of ['limits', 'requests'] as const) {
        const fractional = fractionalBytes(container.resources?.[kind]?.[resource]);
        if (fractional) warnings.push(`${path}.resources.${kind}[${resource}]: fractional byte value ${JSON.stringify(fractional)} is invalid, must be an integer`);
      }
    }
    const seen = new Set<string>();
    (container.env ?? []).forEach((variable, i) => {
      const name = variable?.name ?? '';
      if (!seen.has(name)) {
        seen.add(name);
        return;
      }
      // A later definition that builds on the earlier one ($(X)) is fine; any other hides it.
      const ref = `$(${name})`;
      const value = typeof variable.value === 'string' ? variable.value : '';
      if (variable.valueFrom || value === ref || !value.includes(ref)) warnings.push(`${path}.env[${i}]: hides previous definition of ${JSON.stringify(name)}, which may be dropped when using apply`);
    });
  }

  const ports = new Map<string, Array<{ path: string; port: ContainerPort }>>();
  for (const { container, path } of containers) {
    (container.ports ?? []).forEach((port, i) => {
      if (!port) return;
      const here = `${path}.ports[${i}]`;
      if (port.hostIP && !port.hostPort) warnings.push(`${here}: hostIP set without hostPort: ${goPort(port)}`);
      const key = `${port.containerPort}/${port.protocol ?? 'TCP'}`;
      const others = ports.get(key) ?? [];
      for (const other of others) {
        if ((port.hostIP ?? '') === (other.port.hostIP ?? '') && (port.hostPort ?? 0) === (other.port.hostPort ?? 0)) warnings.push(`${here}: duplicate port definition with ${other.path}`);
        else if (!port.hostPort || !other.port.hostPort) warnings.push(`${here}: overlapping port definition with ${other.path}`);
        else if (port.hostPort === other.port.hostPort && !port.hostIP !== !other.port.hostIP) warnings.push(`${here}: dangerously ambiguous port definition with ${other.path}`);
      }
      others.push({ path: here, port });
      ports.set(key, others);
    });
  }

  if (typeof spec.terminationGracePeriodSeconds === 'number' && spec.terminationGracePeriodSeconds < 0) {
    warnings.push(`${at('spec.terminationGracePeriodSeconds')}: must be >= 0; negative values are invalid and will be treated as 1`);
  }
  for (const kind of ['podAffinity', 'podAntiAffinity'] as const) {
    const affinity = spec.affinity?.[kind];
    const base = at(`spec.affinity.${kind}`);
    (affinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((term, i) => {
      if (!term?.labelSelector) warnings.push(`${base}.requiredDuringSchedulingIgnoredDuringExecution[${i}].labelSelector: a null labelSelector results in matching no pod`);
    });
    (affinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((term, i) => {
      if (!term?.podAffinityTerm?.labelSelector) warnings.push(`${base}.preferredDuringSchedulingIgnoredDuringExecution[${i}].podAffinityTerm.labelSelector: a null labelSelector results in matching no pod`);
    });
  }
  return warnings;
}

/** A workload's template warnings on create, and on an update that changes its spec (a new generation), as Kubernetes' workload strategies give them. */
export const workloadWarnings = {
  onCreate: (object: KubeObject) => podSpecWarnings(object.spec?.template as never, 'spec.template.'),
  onUpdate: (object: KubeObject, old: KubeObject) => (object.metadata.generation !== old.metadata.generation ? podSpecWarnings(object.spec?.template as never, 'spec.template.') : []),
};

const DEPRECATED_NODE_LABELS: Record<string, string> = {
  'beta.kubernetes.io/arch': 'deprecated since v1.14; use "kubernetes.io/arch" instead',
  'beta.kubernetes.io/os': 'deprecated since v1.14; use "kubernetes.io/os" instead',
  'failure-domain.beta.kubernetes.io/region': 'deprecated since v1.17; use "topology.kubernetes.io/region" instead',
  'failure-domain.beta.kubernetes.io/zone': 'deprecated since v1.17; use "topology.kubernetes.io/zone" instead',
  'beta.kubernetes.io/instance-type': 'deprecated since v1.17; use "node.kubernetes.io/instance-type" instead',
};

const DEPRECATED_ANNOTATIONS: Array<[string, string]> = [
  ['scheduler.alpha.kubernetes.io/critical-pod', 'non-functional in v1.16+; use the "priorityClassName" field instead'],
  ['security.alpha.kubernetes.io/sysctls', 'non-functional in v1.11+; use the "sysctls" field instead'],
  ['security.alpha.kubernetes.io/unsafe-sysctls', 'non-functional in v1.11+; use the "sysctls" field instead'],
];

/** The volume plugin's JSON field, the warning, and the name Kubernetes prints when it differs (its Go path). */
const DEPRECATED_VOLUMES: Array<[string, string, string?]> = [
  ['photonPersistentDisk', 'deprecated in v1.11, non-functional in v1.16+'],
  ['gitRepo', 'deprecated in v1.11'],
  ['scaleIO', 'deprecated in v1.16, non-functional in v1.22+'],
  ['flocker', 'deprecated in v1.22, non-functional in v1.25+'],
  ['storageos', 'deprecated in v1.22, non-functional in v1.25+', 'storageOS'],
  ['quobyte', 'deprecated in v1.22, non-functional in v1.25+'],
  ['glusterfs', 'deprecated in v1.25, non-functional in v1.26+'],
  ['cephfs', 'deprecated in v1.28, non-functional in v1.31+'],
  ['rbd', 'deprecated in v1.28, non-functional in v1.31+'],
];

const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_ANNOTATION_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';
const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

interface ContainerPort {
  name?: string;
  hostPort?: number;
  containerPort?: number;
  protocol?: string;
  hostIP?: string;
}

interface Container {
  name?: string;
  env?: Array<{ name?: string; value?: string; valueFrom?: unknown }>;
  ports?: ContainerPort[];
  resources?: { limits?: Record<string, unknown>; requests?: Record<string, unknown> };
  securityContext?: { seccompProfile?: unknown; appArmorProfile?: unknown };
}

interface NodeSelectorTerm {
  matchExpressions?: Array<{ key?: string }>;
}

interface PodAffinityTerm {
  labelSelector?: unknown;
}

interface PodSpec {
  nodeSelector?: Record<string, string>;
  affinity?: {
    nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] }; preferredDuringSchedulingIgnoredDuringExecution?: Array<{ preference?: NodeSelectorTerm }> };
    podAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[]; preferredDuringSchedulingIgnoredDuringExecution?: Array<{ podAffinityTerm?: PodAffinityTerm }> };
    podAntiAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[]; preferredDuringSchedulingIgnoredDuringExecution?: Array<{ podAffinityTerm?: PodAffinityTerm }> };
  };
  topologySpreadConstraints?: Array<{ topologyKey?: string; labelSelector?: unknown }>;
  volumes?: Array<Record<string, unknown>>;
  hostAliases?: Array<{ ip?: string }>;
  imagePullSecrets?: Array<{ name?: string }>;
  overhead?: Record<string, unknown>;
  securityContext?: { seccompProfile?: unknown; appArmorProfile?: unknown };
  initContainers?: Container[];
  containers?: Container[];
  ephemeralContainers?: Container[];
  terminationGracePeriodSeconds?: number;
}

/** VisitContainersWithPath: init containers, containers, then ephemeral containers. */
function containersWithPaths(spec: PodSpec, at: string): Array<{ container: Container; path: string }> {
  const out: Array<{ container: Container; path: string }> = [];
  for (const list of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    (spec[list] ?? []).forEach((container, i) => {
      if (container && typeof container === 'object') out.push({ container, path: `${at}.${list}[${i}]` });
    });
  }
  return out;
}

function nodeSelectorTermWarnings(term: NodeSelectorTerm | undefined, path: string): string[] {
  const warnings: string[] = [];
  (term?.matchExpressions ?? []).forEach((expression, j) => {
    const message = DEPRECATED_NODE_LABELS[expression?.key ?? ''];
    if (message) warnings.push(`${path}.matchExpressions[${j}].key: ${expression.key} is ${message}`);
  });
  return warnings;
}

function duplicates<T>(items: T[], keyOf: (item: T) => string, report: (index: number, key: string) => void): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const key = keyOf(item);
    if (seen.has(key)) report(i, key);
    else seen.add(key);
  });
}

/** The quantity as Kubernetes prints it, when it is not a whole number of bytes. */
function fractionalBytes(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  try {
    const quantity = parseQuantity(String(value));
    return quantity.milliValueBigInt() % 1000n !== 0n ? quantity.canonical() : undefined;
  } catch {
    return undefined; // validation refuses it
  }
}

/** A ContainerPort as Go's %+v prints the internal type. */
function goPort(port: ContainerPort): string {
  return `{Name:${port.name ?? ''} HostPort:${port.hostPort ?? 0} ContainerPort:${port.containerPort ?? 0} Protocol:${port.protocol ?? ''} HostIP:${port.hostIP ?? ''}}`;
}
