// What Kubernetes' strategic merge patch needs to know about each field: which lists merge item by
// item (and on which key) and which fields are replaced whole. Kubernetes reads this from the
// `patchStrategy` / `patchMergeKey` tags of its Go types (k8s.io/api, v1.32); here it is one table,
// PATCH_RULES: kind -> field path -> rule.
//
// Field paths are written from the object's root with dots, and `[]` for "each item of a list":
// "spec.template.spec.containers[].env" is the env list of every container of a Deployment.
// Types that appear in many kinds (object metadata, pod specs, pod templates, conditions) are
// written once as functions that place their rules under a given path.
//
// Fields not in the table follow the defaults: objects merge key by key, lists are replaced whole
// (Kubernetes' "atomic" lists, e.g. tolerations, node taints, envFrom, command, args).
// A kind not in the table has no known strategy: Kubernetes answers a strategic merge patch of a
// custom resource with 415 Unsupported Media Type, and so does strategicMergePatch.

/** How one field is patched. */
export interface FieldRule {
  /** "merge": the list merges item by item; "replace": the value is replaced whole. */
  readonly strategy: 'merge' | 'replace';
  /** For a merging list of objects: the field that identifies an item (absent for plain values). */
  readonly mergeKey?: string;
  /**
   * Kubernetes also tags the field "retainKeys". That only changes the patches kubectl builds
   * (they carry a $retainKeys directive); applying a patch honours $retainKeys on any field.
   */
  readonly retainKeys?: boolean;
}

type Rules = Record<string, FieldRule>;

const mergeBy = (mergeKey: string): FieldRule => ({ strategy: 'merge', mergeKey });
const mergeRetainingKeysBy = (mergeKey: string): FieldRule => ({ strategy: 'merge', mergeKey, retainKeys: true });
/** A list of plain values (strings) merged as a set. */
const mergeAsSet: FieldRule = { strategy: 'merge' };
/** An object whose keys are cleared when a patch lists them in $retainKeys (a union type). */
const retainKeys: FieldRule = { strategy: 'merge', retainKeys: true };

/** metav1.ObjectMeta, under `at` ("metadata" or a template's "…template.metadata"). */
function objectMeta(at: string): Rules {
  return {
    [`${at}.finalizers`]: mergeAsSet,
    [`${at}.ownerReferences`]: mergeBy('uid'),
  };
}

/** `conditions` lists keyed by `type` (every kind's status.conditions). */
function conditions(at: string): Rules {
  return { [`${at}.conditions`]: mergeBy('type') };
}

/** core/v1 Container and EphemeralContainer (they share these fields). */
function container(at: string): Rules {
  return {
    [`${at}.ports`]: mergeBy('containerPort'),
    [`${at}.env`]: mergeBy('name'),
    [`${at}.volumeMounts`]: mergeBy('mountPath'),
    [`${at}.volumeDevices`]: mergeBy('devicePath'),
  };
}

/** core/v1 PodSpec. */
function podSpec(at: string): Rules {
  return {
    [`${at}.volumes`]: mergeRetainingKeysBy('name'),
    [`${at}.initContainers`]: mergeBy('name'),
    ...container(`${at}.initContainers[]`),
    [`${at}.containers`]: mergeBy('name'),
    ...container(`${at}.containers[]`),
    [`${at}.ephemeralContainers`]: mergeBy('name'),
    ...container(`${at}.ephemeralContainers[]`),
    [`${at}.imagePullSecrets`]: mergeBy('name'),
    [`${at}.hostAliases`]: mergeBy('ip'),
    [`${at}.topologySpreadConstraints`]: mergeBy('topologyKey'),
    [`${at}.schedulingGates`]: mergeBy('name'),
    [`${at}.resourceClaims`]: mergeRetainingKeysBy('name'),
  };
}

/** core/v1 PodTemplateSpec: metadata plus a pod spec. */
function podTemplate(at: string): Rules {
  return { ...objectMeta(`${at}.metadata`), ...podSpec(`${at}.spec`) };
}

/** core/v1 PodStatus. */
function podStatus(at: string): Rules {
  return {
    ...conditions(at),
    [`${at}.podIPs`]: mergeBy('ip'),
    [`${at}.hostIPs`]: mergeBy('ip'),
    [`${at}.resourceClaimStatuses`]: mergeRetainingKeysBy('name'),
  };
}

/** A kind whose only patch rules are the ones of its metadata. */
const plain: Rules = objectMeta('metadata');

/** A kind with metadata and `status.conditions` keyed by type. */
const withStatusConditions: Rules = { ...objectMeta('metadata'), ...conditions('status') };

/** A workload kind whose `spec.template` is a pod template. */
const workload: Rules = { ...withStatusConditions, ...podTemplate('spec.template') };

/** The strategic merge patch rules of every built-in kind kubelab serves, by kind. */
export const PATCH_RULES: Readonly<Record<string, Readonly<Rules>>> = {
  // core/v1
  Pod: { ...objectMeta('metadata'), ...podSpec('spec'), ...podStatus('status') },
  PodTemplate: { ...objectMeta('metadata'), ...podTemplate('template') },
  ReplicationController: workload,
  Service: { ...withStatusConditions, 'spec.ports': mergeBy('port') },
  Node: {
    ...withStatusConditions,
    'spec.podCIDRs': mergeAsSet,
    'status.addresses': mergeBy('type'),
  },
  Namespace: withStatusConditions,
  PersistentVolumeClaim: withStatusConditions,
  ServiceAccount: { ...objectMeta('metadata'), secrets: mergeBy('name') },
  PersistentVolume: plain,
  ConfigMap: plain,
  Secret: plain,
  Endpoints: plain,
  Event: plain,
  LimitRange: plain,
  ResourceQuota: plain,
  Binding: plain,
  ComponentStatus: plain,
  // apps/v1
  Deployment: { ...workload, 'spec.strategy': retainKeys },
  ReplicaSet: workload,
  StatefulSet: workload,
  DaemonSet: workload,
  ControllerRevision: plain,
  // batch/v1
  Job: workload,
  CronJob: { ...objectMeta('metadata'), ...objectMeta('spec.jobTemplate.metadata'), ...podTemplate('spec.jobTemplate.spec.template') },
  // autoscaling, policy
  Scale: plain,
  HorizontalPodAutoscaler: withStatusConditions,
  PodDisruptionBudget: withStatusConditions,
  // rbac.authorization.k8s.io/v1
  Role: plain,
  RoleBinding: plain,
  ClusterRole: plain,
  ClusterRoleBinding: plain,
  // networking, discovery, coordination, scheduling, node
  Ingress: plain,
  IngressClass: plain,
  NetworkPolicy: plain,
  EndpointSlice: plain,
  Lease: plain,
  PriorityClass: plain,
  RuntimeClass: plain,
  // storage.k8s.io/v1
  StorageClass: plain,
  CSIDriver: plain,
  CSINode: { ...objectMeta('metadata'), 'spec.drivers': mergeBy('name') },
  VolumeAttachment: plain,
  // admission, certificates, API extension kinds (the objects themselves are built-in types)
  MutatingWebhookConfiguration: plain,
  ValidatingWebhookConfiguration: plain,
  CertificateSigningRequest: plain,
  CustomResourceDefinition: plain,
  APIService: withStatusConditions,
};

/**
 * Where a value sits: the kind of the whole object and the field path of the value ("" for the
 * root). The path is null below a map key that contains ".", "[" or "]" (label and annotation
 * keys, for instance): no rule of the table can apply there.
 */
export interface FieldLocation {
  readonly kind: string;
  readonly path: string | null;
}

/** The location of field `key` of the object at `at`. */
export function fieldOf(at: FieldLocation, key: string): FieldLocation {
  if (at.path === null || /[.[\]]/.test(key)) return { kind: at.kind, path: null };
  return { kind: at.kind, path: at.path === '' ? key : `${at.path}.${key}` };
}

/** The location of the items of the list at `at`. */
export function itemsOf(at: FieldLocation): FieldLocation {
  return { kind: at.kind, path: at.path === null ? null : `${at.path}[]` };
}

/** The rule of the field at `at`, or undefined for the defaults. */
export function ruleAt(at: FieldLocation): FieldRule | undefined {
  return at.path === null ? undefined : patchRuleFor(at.kind, at.path);
}

/** Whether strategic merge patch knows `kind` (false for custom resources). */
export function hasPatchRules(kind: string): boolean {
  return Object.prototype.hasOwnProperty.call(PATCH_RULES, kind);
}

/** The rule of the field at `path` in an object of `kind`, or undefined for the defaults. */
export function patchRuleFor(kind: string, path: string): FieldRule | undefined {
  if (!hasPatchRules(kind)) return undefined;
  const rules = PATCH_RULES[kind] as Rules;
  return Object.prototype.hasOwnProperty.call(rules, path) ? rules[path] : undefined;
}
