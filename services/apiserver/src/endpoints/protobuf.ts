import * as fs from 'node:fs';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';

/**
 * Decodes request bodies that client-go (kubectl's typed clients) sends as Kubernetes protobuf
 * (Content-Type application/vnd.kubernetes.protobuf) into the object's Kubernetes JSON form.
 *
 * Such a body is the 4 magic bytes "k8s\0" followed by a k8s.io.apimachinery.pkg.runtime.Unknown
 * message: typeMeta {apiVersion, kind} plus raw, the object's own protobuf bytes. The schemas are
 * Kubernetes' generated.proto files in proto/k8s (see proto/k8s/README.md).
 *
 * Go's protobuf code writes every non-pointer field, zero or not, while its JSON drops zero values
 * of `omitempty` fields. So a scalar that is zero ("", 0, false) is left out unless the Go field is a
 * pointer (an explicit zero means something there: replicas 0, automountServiceAccountToken false)
 * or has no `omitempty` (it is always in the JSON): the KEEP_ZERO list below.
 */

/** The 4 bytes that open a Kubernetes protobuf body: "k8s\0". */
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Why a body could not be decoded: a kind we have no schema for (415) or bytes that are not valid (400). */
export type ProtobufDecodeErrorReason = 'UnsupportedType' | 'Malformed';

export class ProtobufDecodeError extends Error {
  constructor(
    message: string,
    readonly reason: ProtobufDecodeErrorReason,
  ) {
    super(message);
    this.name = 'ProtobufDecodeError';
  }
}

/** proto/k8s at the top of the repository (this file runs from services/apiserver/{src,dist}/endpoints). */
export const K8S_PROTO_ROOT = path.resolve(__dirname, '../../../../proto/k8s');

/** The API group versions we decode: "group/version" ("v1" for the core group) to the proto package. */
const PACKAGES: Readonly<Record<string, string>> = {
  v1: 'k8s.io.api.core.v1',
  'apps/v1': 'k8s.io.api.apps.v1',
  'autoscaling/v1': 'k8s.io.api.autoscaling.v1',
  'autoscaling/v2': 'k8s.io.api.autoscaling.v2',
  'coordination.k8s.io/v1': 'k8s.io.api.coordination.v1',
  'discovery.k8s.io/v1': 'k8s.io.api.discovery.v1',
  'scheduling.k8s.io/v1': 'k8s.io.api.scheduling.v1',
  'policy/v1': 'k8s.io.api.policy.v1',
  'events.k8s.io/v1': 'k8s.io.api.events.v1',
};

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

/** Kinds every group version carries from meta/v1 (client-go sends e.g. DeleteOptions as apps/v1 DeleteOptions). */
const META_KINDS: ReadonlySet<string> = new Set(['DeleteOptions', 'CreateOptions', 'UpdateOptions', 'PatchOptions', 'GetOptions', 'ListOptions', 'Status', 'WatchEvent']);

let cachedRoot: protobuf.Root | undefined;

/** The Kubernetes message types (proto/k8s/types.json, protobufjs' JSON form), loaded once on first use. */
export function loadKubernetesProtos(): protobuf.Root {
  if (cachedRoot) return cachedRoot;
  const descriptor = JSON.parse(fs.readFileSync(path.join(K8S_PROTO_ROOT, 'types.json'), 'utf8')) as protobuf.INamespace;
  const root = protobuf.Root.fromJSON(descriptor);
  root.resolveAll();
  cachedRoot = root;
  return root;
}

export function isKubernetesProtobuf(body: Buffer): boolean {
  return body.length >= MAGIC.length && body.subarray(0, MAGIC.length).equals(MAGIC);
}

/** The protobuf message type for an apiVersion and kind, e.g. apps/v1 Deployment → k8s.io.api.apps.v1.Deployment. */
export function protobufTypeName(apiVersion: string, kind: string): string | undefined {
  const pkg = PACKAGES[apiVersion] ?? (apiVersion === 'meta.k8s.io/v1' ? META : undefined);
  if (pkg === undefined || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return undefined;
  return META_KINDS.has(kind) ? `${META}.${kind}` : `${pkg}.${kind}`;
}

/** Decodes a "k8s\0"-prefixed body into the object's Kubernetes JSON form, apiVersion and kind included. */
export function decodeKubernetesProtobuf(body: Buffer): Record<string, unknown> {
  if (!isKubernetesProtobuf(body)) throw new ProtobufDecodeError('the body is not Kubernetes protobuf: it does not start with "k8s\\0"', 'Malformed');
  const root = loadKubernetesProtos();
  const unknownType = root.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
  let envelope: protobuf.Message;
  try {
    envelope = unknownType.decode(body.subarray(MAGIC.length));
  } catch (error) {
    throw new ProtobufDecodeError(`the protobuf body is corrupt: ${(error as Error).message}`, 'Malformed');
  }
  const fields = envelope as unknown as { typeMeta?: { apiVersion?: string; kind?: string }; raw?: Uint8Array; contentEncoding?: string };
  const apiVersion = fields.typeMeta?.apiVersion ?? '';
  const kind = fields.typeMeta?.kind ?? '';
  if (apiVersion === '' || kind === '') throw new ProtobufDecodeError('the protobuf body does not say its apiVersion and kind', 'Malformed');
  if (fields.contentEncoding) throw new ProtobufDecodeError(`the protobuf body uses content encoding "${fields.contentEncoding}", which is not supported`, 'Malformed');
  const typeName = protobufTypeName(apiVersion, kind);
  let type: protobuf.Type | null = null;
  if (typeName !== undefined) type = root.lookup(typeName) instanceof protobuf.Type ? (root.lookup(typeName) as protobuf.Type) : null;
  if (type === null) throw new ProtobufDecodeError(`no protobuf schema for ${kind} in ${apiVersion}; send it as JSON`, 'UnsupportedType');
  let message: protobuf.Message;
  try {
    message = type.decode(fields.raw ?? new Uint8Array(0));
  } catch (error) {
    throw new ProtobufDecodeError(`the protobuf body is not a valid ${apiVersion} ${kind}: ${(error as Error).message}`, 'Malformed');
  }
  const object = messageToJson(type, message);
  return { kind, apiVersion, ...(isRecord(object) ? object : {}) };
}

// ---------------------------------------------------------------------------------------------------
// protobuf message → Kubernetes JSON

/** Embedded Go structs (`json:",inline"`): their fields sit directly in the parent object (in JSON and in OpenAPI). */
export const INLINE: ReadonlySet<string> = new Set(
  [
    'Volume.volumeSource',
    'PersistentVolumeSpec.persistentVolumeSource',
    'Probe.handler',
    'EphemeralContainer.ephemeralContainerCommon',
    'ConfigMapEnvSource.localObjectReference',
    'SecretEnvSource.localObjectReference',
    'ConfigMapKeySelector.localObjectReference',
    'SecretKeySelector.localObjectReference',
    'ConfigMapVolumeSource.localObjectReference',
    'ConfigMapProjection.localObjectReference',
    'SecretProjection.localObjectReference',
  ].map((name) => `k8s.io.api.core.v1.${name}`),
);

/** Scalar fields that stay in the JSON when zero: Go pointers and fields without `omitempty`. */
const KEEP_ZERO: ReadonlySet<string> = new Set([
  ...qualify(META, {
    ObjectMeta: ['deletionGracePeriodSeconds'],
    ListMeta: ['remainingItemCount'],
    OwnerReference: ['apiVersion', 'kind', 'name', 'uid', 'controller', 'blockOwnerDeletion'],
    LabelSelectorRequirement: ['key', 'operator'],
    FieldSelectorRequirement: ['key', 'operator'],
    Condition: ['type', 'status', 'reason', 'message'],
    DeleteOptions: ['gracePeriodSeconds', 'orphanDependents', 'propagationPolicy', 'ignoreStoreReadErrorWithClusterBreakingPotential'],
    ApplyOptions: ['force', 'fieldManager'],
    PatchOptions: ['force'],
    ListOptions: ['timeoutSeconds', 'sendInitialEvents'],
    Preconditions: ['uid', 'resourceVersion'],
    GroupVersionForDiscovery: ['groupVersion', 'version'],
  }),
  ...qualify('k8s.io.api.core.v1', {
    AWSElasticBlockStoreVolumeSource: ['volumeID'],
    AppArmorProfile: ['type', 'localhostProfile'],
    AttachedVolume: ['name', 'devicePath'],
    AzureDiskVolumeSource: ['diskName', 'diskURI', 'cachingMode', 'fsType', 'readOnly', 'kind'],
    AzureFilePersistentVolumeSource: ['secretName', 'shareName', 'secretNamespace'],
    AzureFileVolumeSource: ['secretName', 'shareName'],
    CSIPersistentVolumeSource: ['driver', 'volumeHandle'],
    CSIVolumeSource: ['driver', 'readOnly', 'fsType'],
    CinderPersistentVolumeSource: ['volumeID'],
    CinderVolumeSource: ['volumeID'],
    ClientIPConfig: ['timeoutSeconds'],
    ClusterTrustBundleProjection: ['name', 'signerName', 'optional', 'path'],
    ComponentCondition: ['type', 'status'],
    ConfigMap: ['immutable'],
    ConfigMapEnvSource: ['optional'],
    ConfigMapKeySelector: ['key', 'optional'],
    ConfigMapNodeConfigSource: ['namespace', 'name', 'kubeletConfigKey'],
    ConfigMapProjection: ['optional'],
    ConfigMapVolumeSource: ['defaultMode', 'optional'],
    Container: ['name', 'restartPolicy'],
    ContainerPort: ['containerPort'],
    ContainerResizePolicy: ['resourceName', 'restartPolicy'],
    ContainerStateTerminated: ['exitCode'],
    ContainerStatus: ['name', 'ready', 'restartCount', 'image', 'imageID', 'started'],
    DaemonEndpoint: ['Port'],
    DownwardAPIVolumeFile: ['path', 'mode'],
    DownwardAPIVolumeSource: ['defaultMode'],
    EndpointAddress: ['ip', 'nodeName'],
    EndpointPort: ['port', 'appProtocol'],
    EnvVar: ['name'],
    EphemeralContainerCommon: ['name', 'restartPolicy'],
    Event: ['reportingComponent', 'reportingInstance'],
    FCVolumeSource: ['lun'],
    FlexPersistentVolumeSource: ['driver'],
    FlexVolumeSource: ['driver'],
    GCEPersistentDiskVolumeSource: ['pdName'],
    GRPCAction: ['port', 'service'],
    GitRepoVolumeSource: ['repository'],
    GlusterfsPersistentVolumeSource: ['endpoints', 'path', 'endpointsNamespace'],
    GlusterfsVolumeSource: ['endpoints', 'path'],
    HTTPHeader: ['name', 'value'],
    HostAlias: ['ip'],
    HostIP: ['ip'],
    HostPathVolumeSource: ['path', 'type'],
    ISCSIPersistentVolumeSource: ['targetPortal', 'iqn', 'lun', 'initiatorName'],
    ISCSIVolumeSource: ['targetPortal', 'iqn', 'lun', 'initiatorName'],
    KeyToPath: ['key', 'path', 'mode'],
    LimitRangeItem: ['type'],
    LinuxContainerUser: ['uid', 'gid'],
    LoadBalancerIngress: ['ipMode'],
    LocalVolumeSource: ['path', 'fsType'],
    ModifyVolumeStatus: ['status'],
    NFSVolumeSource: ['server', 'path'],
    NamespaceCondition: ['type', 'status'],
    NodeAddress: ['type', 'address'],
    NodeCondition: ['type', 'status'],
    NodeFeatures: ['supplementalGroupsPolicy'],
    NodeRuntimeHandlerFeatures: ['recursiveReadOnlyMounts', 'userNamespaces'],
    NodeSelectorRequirement: ['key', 'operator'],
    NodeSystemInfo: ['machineID', 'systemUUID', 'bootID', 'kernelVersion', 'osImage', 'containerRuntimeVersion', 'kubeletVersion', 'kubeProxyVersion', 'operatingSystem', 'architecture'],
    ObjectFieldSelector: ['fieldPath'],
    PersistentVolumeClaimCondition: ['type', 'status'],
    PersistentVolumeClaimSpec: ['storageClassName', 'volumeMode', 'volumeAttributesClassName'],
    PersistentVolumeClaimStatus: ['currentVolumeAttributesClassName'],
    PersistentVolumeClaimVolumeSource: ['claimName'],
    PersistentVolumeSpec: ['volumeMode', 'volumeAttributesClassName'],
    PhotonPersistentDiskVolumeSource: ['pdID'],
    PodAffinityTerm: ['topologyKey'],
    PodCondition: ['type', 'status'],
    PodDNSConfigOption: ['value'],
    PodIP: ['ip'],
    PodOS: ['name'],
    PodReadinessGate: ['conditionType'],
    PodResourceClaim: ['name', 'resourceClaimName', 'resourceClaimTemplateName'],
    PodResourceClaimStatus: ['name', 'resourceClaimName'],
    PodSchedulingGate: ['name'],
    PodSecurityContext: ['runAsUser', 'runAsGroup', 'runAsNonRoot', 'supplementalGroupsPolicy', 'fsGroup', 'fsGroupChangePolicy', 'seLinuxChangePolicy'],
    PodSpec: [
      'terminationGracePeriodSeconds',
      'activeDeadlineSeconds',
      'automountServiceAccountToken',
      'shareProcessNamespace',
      'priority',
      'runtimeClassName',
      'enableServiceLinks',
      'preemptionPolicy',
      'setHostnameAsFQDN',
      'hostUsers',
    ],
    PortStatus: ['port', 'protocol', 'error'],
    PortworxVolumeSource: ['volumeID'],
    Preconditions: ['uid'],
    PreferredSchedulingTerm: ['weight'],
    Probe: ['terminationGracePeriodSeconds'],
    ProjectedVolumeSource: ['defaultMode'],
    QuobyteVolumeSource: ['registry', 'volume'],
    RBDPersistentVolumeSource: ['image'],
    RBDVolumeSource: ['image'],
    RangeAllocation: ['range', 'data'],
    ReplicationControllerCondition: ['type', 'status'],
    ReplicationControllerSpec: ['replicas'],
    ReplicationControllerStatus: ['replicas'],
    ResourceClaim: ['name'],
    ResourceFieldSelector: ['resource'],
    ResourceHealth: ['resourceID'],
    ResourceStatus: ['name'],
    ScaleIOPersistentVolumeSource: ['gateway', 'system'],
    ScaleIOVolumeSource: ['gateway', 'system'],
    ScopedResourceSelectorRequirement: ['scopeName', 'operator'],
    SeccompProfile: ['type', 'localhostProfile'],
    Secret: ['immutable'],
    SecretEnvSource: ['optional'],
    SecretKeySelector: ['key', 'optional'],
    SecretProjection: ['optional'],
    SecretVolumeSource: ['defaultMode', 'optional'],
    SecurityContext: ['privileged', 'runAsUser', 'runAsGroup', 'runAsNonRoot', 'readOnlyRootFilesystem', 'allowPrivilegeEscalation', 'procMount'],
    ServiceAccount: ['automountServiceAccountToken'],
    ServiceAccountTokenProjection: ['expirationSeconds', 'path'],
    ServicePort: ['port', 'appProtocol'],
    ServiceSpec: ['ipFamilyPolicy', 'allocateLoadBalancerNodePorts', 'loadBalancerClass', 'internalTrafficPolicy', 'trafficDistribution'],
    SleepAction: ['seconds'],
    Sysctl: ['name', 'value'],
    Taint: ['key', 'effect'],
    Toleration: ['tolerationSeconds'],
    TopologySelectorLabelRequirement: ['key'],
    TopologySpreadConstraint: ['maxSkew', 'topologyKey', 'whenUnsatisfiable', 'minDomains', 'nodeAffinityPolicy', 'nodeTaintsPolicy'],
    TypedLocalObjectReference: ['apiGroup', 'kind', 'name'],
    TypedObjectReference: ['apiGroup', 'kind', 'name', 'namespace'],
    Volume: ['name'],
    VolumeDevice: ['name', 'devicePath'],
    VolumeMount: ['name', 'mountPath', 'recursiveReadOnly'],
    VolumeMountStatus: ['name', 'mountPath', 'recursiveReadOnly'],
    VsphereVirtualDiskVolumeSource: ['volumePath'],
    WeightedPodAffinityTerm: ['weight'],
    WindowsSecurityContextOptions: ['gmsaCredentialSpecName', 'gmsaCredentialSpec', 'runAsUserName', 'hostProcess'],
  }),
  ...qualify('k8s.io.api.apps.v1', {
    ControllerRevision: ['revision'],
    DaemonSetCondition: ['type', 'status'],
    DaemonSetSpec: ['revisionHistoryLimit'],
    DaemonSetStatus: ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady', 'collisionCount'],
    DeploymentCondition: ['type', 'status'],
    DeploymentSpec: ['replicas', 'revisionHistoryLimit', 'progressDeadlineSeconds'],
    DeploymentStatus: ['collisionCount'],
    ReplicaSetCondition: ['type', 'status'],
    ReplicaSetSpec: ['replicas'],
    ReplicaSetStatus: ['replicas'],
    RollingUpdateStatefulSetStrategy: ['partition'],
    StatefulSetCondition: ['type', 'status'],
    StatefulSetOrdinals: ['start'],
    StatefulSetSpec: ['replicas', 'revisionHistoryLimit'],
    StatefulSetStatus: ['replicas', 'availableReplicas', 'collisionCount'],
  }),
  ...qualify('k8s.io.api.autoscaling.v1', {
    ContainerResourceMetricSource: ['name', 'targetAverageUtilization', 'container'],
    ContainerResourceMetricStatus: ['name', 'currentAverageUtilization', 'container'],
    CrossVersionObjectReference: ['kind', 'name'],
    ExternalMetricSource: ['metricName'],
    ExternalMetricStatus: ['metricName'],
    HorizontalPodAutoscalerCondition: ['type', 'status'],
    HorizontalPodAutoscalerSpec: ['minReplicas', 'maxReplicas', 'targetCPUUtilizationPercentage'],
    HorizontalPodAutoscalerStatus: ['observedGeneration', 'currentReplicas', 'desiredReplicas', 'currentCPUUtilizationPercentage'],
    MetricSpec: ['type'],
    MetricStatus: ['type'],
    ObjectMetricSource: ['metricName'],
    ObjectMetricStatus: ['metricName'],
    PodsMetricSource: ['metricName'],
    PodsMetricStatus: ['metricName'],
    ResourceMetricSource: ['name', 'targetAverageUtilization'],
    ResourceMetricStatus: ['name', 'currentAverageUtilization'],
    ScaleStatus: ['replicas'],
  }),
  ...qualify('k8s.io.api.autoscaling.v2', {
    ContainerResourceMetricSource: ['name', 'container'],
    ContainerResourceMetricStatus: ['name', 'container'],
    CrossVersionObjectReference: ['kind', 'name'],
    HPAScalingPolicy: ['type', 'value', 'periodSeconds'],
    HPAScalingRules: ['stabilizationWindowSeconds', 'selectPolicy'],
    HorizontalPodAutoscalerCondition: ['type', 'status'],
    HorizontalPodAutoscalerSpec: ['minReplicas', 'maxReplicas'],
    HorizontalPodAutoscalerStatus: ['observedGeneration', 'desiredReplicas'],
    MetricIdentifier: ['name'],
    MetricSpec: ['type'],
    MetricStatus: ['type'],
    MetricTarget: ['type', 'averageUtilization'],
    MetricValueStatus: ['averageUtilization'],
    ResourceMetricSource: ['name'],
    ResourceMetricStatus: ['name'],
  }),
  ...qualify('k8s.io.api.coordination.v1', {
    LeaseSpec: ['holderIdentity', 'leaseDurationSeconds', 'leaseTransitions', 'strategy', 'preferredHolder'],
  }),
  ...qualify('k8s.io.api.discovery.v1', {
    Endpoint: ['hostname', 'nodeName', 'zone'],
    EndpointConditions: ['ready', 'serving', 'terminating'],
    EndpointPort: ['name', 'protocol', 'port', 'appProtocol'],
    EndpointSlice: ['addressType'],
    ForZone: ['name'],
  }),
  ...qualify('k8s.io.api.scheduling.v1', {
    PriorityClass: ['value', 'preemptionPolicy'],
  }),
  ...qualify('k8s.io.api.policy.v1', {
    PodDisruptionBudgetSpec: ['unhealthyPodEvictionPolicy'],
    PodDisruptionBudgetStatus: ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'],
  }),
  ...qualify('k8s.io.api.events.v1', {
    EventSeries: ['count'],
  }),
]);

function qualify(pkg: string, fields: Record<string, readonly string[]>): string[] {
  return Object.entries(fields).flatMap(([message, names]) => names.map((name) => `${pkg}.${message}.${name}`));
}

/** Message types whose JSON form is not an object of their fields. */
const SPECIAL: Readonly<Record<string, (message: Fields) => unknown>> = {
  [`${META}.Time`]: (m) => formatTime(m, false),
  [`${META}.MicroTime`]: (m) => formatTime(m, true),
  [`${META}.Duration`]: (m) => formatDuration(toNumber(m['duration'] ?? 0)),
  [`${META}.FieldsV1`]: (m) => rawJson(m['Raw'], 'FieldsV1'),
  [`${META}.Verbs`]: (m) => (Array.isArray(m['items']) ? [...(m['items'] as string[])] : []),
  'k8s.io.apimachinery.pkg.runtime.RawExtension': (m) => rawJson(m['raw'], 'RawExtension'),
  'k8s.io.apimachinery.pkg.api.resource.Quantity': (m) => quantity(m),
  'k8s.io.apimachinery.pkg.api.resource.QuantityValue': (m) => quantity(m),
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': (m) => (toNumber(m['type'] ?? 0) === 1 ? (m['strVal'] ?? '') : toNumber(m['intVal'] ?? 0)),
};

type Fields = Record<string, unknown>;

function messageToJson(type: protobuf.Type, message: protobuf.Message): unknown {
  const fields = message as unknown as Fields;
  const special = SPECIAL[type.fullName.replace(/^\./, '')];
  if (special) return special(present(fields, type));
  const typeName = type.fullName.replace(/^\./, '');
  const out: Fields = {};
  for (const field of type.fieldsArray) {
    if (!Object.prototype.hasOwnProperty.call(fields, field.name)) continue;
    const value = fields[field.name];
    const key = `${typeName}.${field.name}`;
    if (field instanceof protobuf.MapField) {
      const entries = Object.entries((value ?? {}) as Fields);
      if (entries.length === 0) continue;
      entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      out[field.name] = Object.fromEntries(entries.map(([k, v]) => [k, valueToJson(field, v)]));
    } else if (field.repeated) {
      const items = (value ?? []) as unknown[];
      if (items.length === 0) continue;
      out[field.name] = items.map((item) => valueToJson(field, item));
    } else if (field.resolvedType instanceof protobuf.Type) {
      const converted = valueToJson(field, value);
      if (INLINE.has(key) && isRecord(converted)) Object.assign(out, converted);
      else out[field.name] = converted;
    } else {
      const converted = valueToJson(field, value);
      if (isZero(converted) && !KEEP_ZERO.has(key)) continue;
      out[field.name] = converted;
    }
  }
  return out;
}

function valueToJson(field: protobuf.Field, value: unknown): unknown {
  if (field.resolvedType instanceof protobuf.Type) return messageToJson(field.resolvedType, value as protobuf.Message);
  switch (field.type) {
    case 'bytes':
      return Buffer.from(value as Uint8Array).toString('base64');
    case 'int64':
    case 'uint64':
    case 'sint64':
    case 'fixed64':
    case 'sfixed64':
      return toNumber(value);
    default:
      return value;
  }
}

/** The fields the wire carried (proto2: a field not sent is not an own property of the decoded message). */
function present(fields: Fields, type: protobuf.Type): Fields {
  const out: Fields = {};
  for (const field of type.fieldsArray) if (Object.prototype.hasOwnProperty.call(fields, field.name)) out[field.name] = fields[field.name];
  return out;
}

function isZero(value: unknown): boolean {
  return value === '' || value === 0 || value === false;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Number(value);
  if (typeof value === 'object' && value !== null && typeof (value as { toNumber?: unknown }).toNumber === 'function') return (value as { toNumber(): number }).toNumber();
  return Number(value);
}

/** Seconds of Go's zero time.Time (0001-01-01T00:00:00Z) since the Unix epoch. */
const GO_ZERO_TIME_SECONDS = -62135596800;

/** metav1.Time is RFC 3339 to the second; MicroTime keeps 6 fractional digits; the zero time is null. */
function formatTime(m: Fields, micro: boolean): string | null {
  if (!('seconds' in m) && !('nanos' in m)) return null;
  const seconds = toNumber(m['seconds'] ?? 0);
  const nanos = micro ? toNumber(m['nanos'] ?? 0) : 0;
  if (seconds === GO_ZERO_TIME_SECONDS && nanos === 0) return null;
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) throw new ProtobufDecodeError(`time out of range: ${seconds}s`, 'Malformed');
  const base = date.toISOString().slice(0, 19);
  return micro ? `${base}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${base}Z`;
}

/** A Go time.Duration (nanoseconds) as Go's Duration.String() writes it: "1h2m3.5s", "1.5ms", "0s". */
export function formatDuration(nanoseconds: number): string {
  if (nanoseconds === 0) return '0s';
  const negative = nanoseconds < 0;
  let ns = Math.abs(nanoseconds);
  let text: string;
  if (ns < 1e9) {
    const [unit, size] = ns < 1e3 ? ['ns', 1] : ns < 1e6 ? ['µs', 1e3] : ['ms', 1e6];
    text = `${trimFraction(ns, size)}${unit}`;
  } else {
    const hours = Math.floor(ns / 3.6e12);
    ns -= hours * 3.6e12;
    const minutes = Math.floor(ns / 6e10);
    ns -= minutes * 6e10;
    text = `${trimFraction(ns, 1e9)}s`;
    if (hours > 0 || minutes > 0) text = `${minutes}m${text}`;
    if (hours > 0) text = `${hours}h${text}`;
  }
  return negative ? `-${text}` : text;
}

/** value/size with the fraction's trailing zeros dropped, as Go's fmtFrac does. */
function trimFraction(value: number, size: number): string {
  const whole = Math.floor(value / size);
  const digits = Math.round(Math.log10(size));
  if (digits === 0) return String(whole);
  const fraction = String(Math.round(value - whole * size))
    .padStart(digits, '0')
    .replace(/0+$/, '');
  return fraction === '' ? String(whole) : `${whole}.${fraction}`;
}

/** A resource.Quantity is its canonical string; an empty one is Go's zero Quantity, "0". */
function quantity(m: Fields): string {
  const value = m['string'];
  return typeof value === 'string' && value !== '' ? value : '0';
}

/** RawExtension and FieldsV1 hold JSON (or, for a nested object, Kubernetes protobuf); nothing held is null. */
function rawJson(raw: unknown, what: string): unknown {
  if (raw === undefined || raw === null) return null;
  const bytes = Buffer.from(raw as Uint8Array);
  if (bytes.length === 0) return null;
  if (isKubernetesProtobuf(bytes)) return decodeKubernetesProtobuf(bytes);
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new ProtobufDecodeError(`${what} does not hold JSON: ${(error as Error).message}`, 'Malformed');
  }
}
