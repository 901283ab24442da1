import * as fs from 'node:fs';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import { INLINE, K8S_PROTO_ROOT, loadKubernetesProtos, protobufTypeName } from './protobuf';

/**
 * The OpenAPI v3 schemas of the served kinds (`components.schemas` of /openapi/v3/<group version>),
 * built from Kubernetes' generated.proto files in proto/k8s, so `kubectl explain` has the fields,
 * types and documentation real Kubernetes serves.
 *
 * Kubernetes writes its schemas with kube-openapi from the Go types; go-to-protobuf writes the
 * .proto files from the same Go types, with the same field names (the JSON names), in the same
 * order, and with the same comments. So each message becomes the schema kube-openapi would write:
 *
 * - name: the proto package with its "k8s.io" turned around, as Go package paths are in OpenAPI
 *   (k8s.io.api.apps.v1.Deployment → io.k8s.api.apps.v1.Deployment);
 * - description: the comment, cleaned as kube-openapi does it (generator tags `+…`, one-line TODOs
 *   and everything after a `---` line dropped; lines joined into paragraphs; indented lines kept);
 * - fields: string, integer (int32/int64 format), boolean, bytes (string, format byte); repeated
 *   → array; map → object with additionalProperties; a message → `allOf: [{$ref}]` when the field
 *   has a description (kube-openapi 1.32's v3 form), a bare `$ref` otherwise;
 * - embedded Go structs (`json:",inline"`, a plain field in protobuf) are inlined;
 * - `x-kubernetes-patch-strategy`/`-patch-merge-key`/`-list-type`/`-list-map-keys`/`-map-type`
 *   from the +patchStrategy, +patchMergeKey, +listType, +listMapKey, +mapType and +structType tags
 *   (kubectl's strategic merge patch of `kubectl apply` reads the first two);
 * - `required`: kube-openapi's rule is "+required, or neither +optional nor `omitempty`". The
 *   proto files have the tags but not the Go json tags, so the fields without +optional whose json
 *   tag does say `omitempty` are listed in OMITEMPTY below;
 * - the kinds (and their lists) get `apiVersion` and `kind` (Go's embedded TypeMeta, which has no
 *   protobuf field) and `x-kubernetes-group-version-kind`;
 * - types with their own JSON form are written as Kubernetes writes them: Time and MicroTime
 *   (string, date-time), Quantity (oneOf string/number), IntOrString (oneOf integer/string, format
 *   int-or-string), FieldsV1 and RawExtension (object), Duration (string).
 *
 * - `enum` lists, with their "Possible enum values" text added to the field's description, from
 *   proto/k8s/enums.json (kube-openapi takes them from the Go constants of `+enum` types, which
 *   the protos do not have); a list of enum values gets the enum on its items, as kube-openapi
 *   writes it.
 *
 * Not carried over: `default` values (`kubectl explain` does not show them).
 */

export type Schema = Record<string, unknown>;

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';
const SCHEMA_REF = '#/components/schemas/';

const API_VERSION_DESCRIPTION =
  'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
const KIND_DESCRIPTION =
  'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';

/** Messages whose JSON is not an object of their fields: the schema Kubernetes publishes for each (description from the comment). */
const SPECIAL: Readonly<Record<string, Schema>> = {
  [`${META}.Time`]: { type: 'string', format: 'date-time' },
  [`${META}.MicroTime`]: { type: 'string', format: 'date-time' },
  [`${META}.Duration`]: { type: 'string' },
  [`${META}.FieldsV1`]: { type: 'object' },
  'k8s.io.apimachinery.pkg.runtime.RawExtension': { type: 'object' },
  'k8s.io.apimachinery.pkg.api.resource.Quantity': { oneOf: [{ type: 'string' }, { type: 'number' }] },
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': { format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] },
};

/**
 * Fields with neither +optional nor +required in their comment whose Go json tag has `omitempty`:
 * not required (kube-openapi). Every other field without +optional is required. Checked, for
 * every message of proto/k8s, against the required lists of Kubernetes' published OpenAPI (as the
 * models of @kubernetes/client-node 1.4, Kubernetes 1.34, have them): the only field that differs
 * is StatefulSetSpec.serviceName, required up to 1.32 and optional since.
 */
const OMITEMPTY: ReadonlySet<string> = new Set([
  ...qualify(META, { ListMeta: ['continue'], ManagedFieldsEntry: ['manager', 'operation', 'apiVersion', 'fieldsType', 'subresource'] }),
  ...qualify('k8s.io.api.core.v1', {
    AzureDiskVolumeSource: ['kind'],
    EphemeralContainerCommon: ['image'],
    EphemeralVolumeSource: ['volumeClaimTemplate'],
    EventSeries: ['count', 'lastObservedTime'],
    HostAlias: ['hostnames'],
    ModifyVolumeStatus: ['targetVolumeAttributesClassName'],
    NodeConfigSource: ['configMap'],
    PersistentVolumeSource: ['photonPersistentDisk'],
    PhotonPersistentDiskVolumeSource: ['fsType'],
    PodDNSConfigOption: ['name'],
    PodResourceClaim: ['resourceClaimName', 'resourceClaimTemplateName'],
    PodSpec: ['initContainers'],
    PodStatus: ['initContainerStatuses'],
    PortworxVolumeSource: ['fsType'],
    ResourceHealth: ['health'],
    ResourceStatus: ['resources'],
    ScaleIOPersistentVolumeSource: ['volumeName'],
    ScaleIOVolumeSource: ['volumeName'],
    ServiceSpec: ['ports'],
    StorageOSPersistentVolumeSource: ['volumeName'],
    StorageOSVolumeSource: ['volumeName'],
    VolumeNodeAffinity: ['required'],
    VolumeSource: ['photonPersistentDisk', 'projected'],
  }),
  ...qualify('k8s.io.api.apps.v1', {
    ControllerRevision: ['data'],
    DeploymentCondition: ['lastUpdateTime', 'lastTransitionTime', 'reason', 'message'],
    DeploymentSpec: ['progressDeadlineSeconds'],
    DeploymentStatus: ['conditions'],
    StatefulSetPersistentVolumeClaimRetentionPolicy: ['whenDeleted', 'whenScaled'],
    StatefulSetSpec: ['updateStrategy', 'revisionHistoryLimit'],
    StatefulSetStatus: ['readyReplicas', 'currentReplicas', 'updatedReplicas', 'currentRevision', 'updateRevision'],
  }),
  ...qualify('k8s.io.api.discovery.v1', {
    Endpoint: ['conditions'],
    EndpointHints: ['forZones'],
    EndpointPort: ['name', 'protocol', 'port'],
  }),
  ...qualify('k8s.io.api.events.v1', {
    Event: ['reportingController', 'reportingInstance', 'action', 'reason', 'type'],
  }),
]);

function qualify(pkg: string, fields: Record<string, readonly string[]>): string[] {
  return Object.entries(fields).flatMap(([message, names]) => names.map((name) => `${pkg}.${message}.${name}`));
}

// ---------------------------------------------------------------------------------------------------
// Comments of the .proto files

interface Comments {
  /** "k8s.io.api.apps.v1.Deployment" → its comment lines; "k8s.io.api.apps.v1.Deployment.spec" → the field's. */
  lines: Map<string, string[]>;
}

/**
 * The comment block of each message and field (proto/k8s/comments.json), lines as written, with
 * their indentation (kube-openapi keeps indented lines on lines of their own) and generator tags.
 */
function readComments(): Comments {
  const text = fs.readFileSync(path.join(K8S_PROTO_ROOT, 'comments.json'), 'utf8');
  return { lines: new Map(Object.entries(JSON.parse(text) as Record<string, string[]>)) };
}

/** An enum field of proto/k8s/enums.json: its values, and each value's line of "Possible enum values" (none for a list). */
interface EnumField {
  enum?: string[];
  values?: string[];
  /** A list whose items are enum values. */
  items?: string[];
}

function readEnums(): Map<string, EnumField> {
  const text = fs.readFileSync(path.join(K8S_PROTO_ROOT, 'enums.json'), 'utf8');
  return new Map(Object.entries(JSON.parse(text) as Record<string, EnumField>));
}

/** kube-openapi's generateDescription: the comment as the description text. */
export function description(comment: readonly string[]): string {
  let buffer = '';
  const dropLast = () => {
    buffer = buffer.slice(0, -1);
  };
  for (const raw of comment) {
    if (raw === '---') break;
    const line = raw.replace(/ +$/, '');
    const leading = line.replace(/^ +/, '');
    if (line.length === 0) {
      dropLast();
      buffer += '\n\n';
    } else if (leading.startsWith('TODO') || leading.startsWith('+')) {
      // one-line TODOs and generator tags are not documentation
    } else if (line.startsWith(' ') || line.startsWith('\t')) {
      dropLast();
      buffer += `\n${line}\n`;
    } else buffer += `${line} `;
  }
  return buffer.trim();
}

/** The values of `+name=value` tags in a comment, in order. */
function tags(comment: readonly string[], name: string): string[] {
  const out: string[] = [];
  for (const line of comment) {
    const match = /^\s*\+([\w.:-]+)(?:=(.*))?$/.exec(line);
    if (match && match[1] === name) out.push((match[2] ?? '').trim());
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Schemas

/** io.k8s.api.apps.v1.Deployment for k8s.io.api.apps.v1.Deployment. */
export function schemaName(protoName: string): string {
  return protoName.replace(/^\./, '').replace(/^k8s\.io\./, 'io.k8s.');
}

function ref(protoName: string): Schema {
  return { $ref: `${SCHEMA_REF}${schemaName(protoName)}` };
}

interface Gvk {
  group: string;
  version: string;
  kind: string;
}

class SchemaBuilder {
  private readonly root = loadKubernetesProtos();
  private readonly comments = readComments();
  private readonly enums = readEnums();
  private readonly built = new Map<string, { schema: Schema; refs: Set<string> }>();

  constructor(
    /** proto name → the group/version/kinds it is (kinds get apiVersion, kind and x-kubernetes-group-version-kind). */
    private readonly kinds: ReadonlyMap<string, Gvk[]>,
  ) {}

  /** The schema of one message, and the messages it refers to. */
  message(protoName: string): { schema: Schema; refs: Set<string> } {
    let entry = this.built.get(protoName);
    if (entry) return entry;
    const type = this.root.lookupType(protoName);
    const refs = new Set<string>();
    const schema: Schema = {};
    const text = description(this.comments.lines.get(protoName) ?? []);
    if (text) schema['description'] = text;
    const special = SPECIAL[protoName];
    if (special) Object.assign(schema, special);
    else {
      const properties: Record<string, Schema> = {};
      const required: string[] = [];
      const gvks = this.kinds.get(protoName);
      if (gvks) {
        properties['apiVersion'] = { description: API_VERSION_DESCRIPTION, type: 'string' };
        properties['kind'] = { description: KIND_DESCRIPTION, type: 'string' };
      }
      this.fields(type, properties, required, refs);
      if (Object.keys(properties).length > 0) schema['properties'] = sortKeys(properties);
      if (required.length > 0) schema['required'] = required;
      schema['type'] = 'object';
      const comment = this.comments.lines.get(protoName) ?? [];
      const structType = tags(comment, 'structType')[0];
      if (structType) schema['x-kubernetes-map-type'] = structType;
      if (gvks) schema['x-kubernetes-group-version-kind'] = gvks;
    }
    entry = { schema, refs };
    this.built.set(protoName, entry);
    return entry;
  }

  private fields(type: protobuf.Type, properties: Record<string, Schema>, required: string[], refs: Set<string>): void {
    const typeName = type.fullName.replace(/^\./, '');
    for (const field of type.fieldsArray) {
      const key = `${typeName}.${field.name}`;
      if (INLINE.has(key) && field.resolvedType instanceof protobuf.Type) {
        this.fields(field.resolvedType, properties, required, refs);
        continue;
      }
      const comment = this.comments.lines.get(key) ?? [];
      const property = this.field(field, comment, refs, this.enums.get(key));
      properties[field.name] = property;
      const optional = tags(comment, 'optional').length > 0;
      const isRequired = tags(comment, 'required').length > 0;
      if (isRequired || (!optional && !OMITEMPTY.has(key))) required.push(field.name);
    }
  }

  private field(field: protobuf.Field, comment: readonly string[], refs: Set<string>, enumField: EnumField | undefined): Schema {
    let text = description(comment);
    let schema: Schema;
    if (field instanceof protobuf.MapField) schema = { type: 'object', additionalProperties: this.value(field.type, field.resolvedType, refs, false) };
    else if (field.repeated) schema = { type: 'array', items: this.value(field.type, field.resolvedType, refs, false) };
    else schema = this.value(field.type, field.resolvedType, refs, Boolean(text));
    if (enumField?.enum) {
      schema['enum'] = enumField.enum;
      text = [text, ['Possible enum values:', ...(enumField.values ?? [])].join('\n')].filter(Boolean).join('\n\n');
    }
    if (enumField?.items) (schema['items'] as Schema)['enum'] = enumField.items;
    if (text) schema['description'] = text;
    const patchMergeKey = tags(comment, 'patchMergeKey')[0];
    const patchStrategy = tags(comment, 'patchStrategy')[0];
    const listType = tags(comment, 'listType')[0];
    const listMapKeys = tags(comment, 'listMapKey');
    const mapType = tags(comment, 'mapType')[0] ?? tags(comment, 'structType')[0];
    if (listMapKeys.length > 0) schema['x-kubernetes-list-map-keys'] = listMapKeys;
    if (listType) schema['x-kubernetes-list-type'] = listType;
    if (mapType) schema['x-kubernetes-map-type'] = mapType;
    if (patchMergeKey) schema['x-kubernetes-patch-merge-key'] = patchMergeKey;
    if (patchStrategy) schema['x-kubernetes-patch-strategy'] = patchStrategy;
    return schema;
  }

  /** The schema of one value: a scalar, or a reference to a message (wrapped in allOf when the field adds a description). */
  private value(protoType: string, resolved: protobuf.Type | protobuf.Enum | null, refs: Set<string>, wrap: boolean): Schema {
    if (resolved instanceof protobuf.Type) {
      const name = resolved.fullName.replace(/^\./, '');
      refs.add(name);
      return wrap ? { allOf: [ref(name)] } : ref(name);
    }
    if (resolved instanceof protobuf.Enum) return { type: 'string' };
    switch (protoType) {
      case 'string':
        return { type: 'string' };
      case 'bool':
        return { type: 'boolean' };
      case 'bytes':
        return { type: 'string', format: 'byte' };
      case 'int32':
      case 'sint32':
      case 'sfixed32':
      case 'uint32':
      case 'fixed32':
        return { type: 'integer', format: 'int32' };
      case 'int64':
      case 'sint64':
      case 'sfixed64':
      case 'uint64':
      case 'fixed64':
        return { type: 'integer', format: 'int64' };
      case 'double':
        return { type: 'number', format: 'double' };
      case 'float':
        return { type: 'number', format: 'float' };
      default:
        return {};
    }
  }
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

// ---------------------------------------------------------------------------------------------------
// Per group version

export interface KindRef {
  group: string;
  version: string;
  kind: string;
}

/** The proto message of a served kind: apps/v1 Deployment → k8s.io.api.apps.v1.Deployment. */
function protoNameOf(group: string, version: string, kind: string): string | undefined {
  return protobufTypeName(group ? `${group}/${version}` : version, kind);
}

/** The schema name of a kind, for `$ref`s in operations: io.k8s.api.apps.v1.Deployment. */
export function kindSchemaName(group: string, version: string, kind: string): string {
  const name = protoNameOf(group, version, kind);
  return name ? schemaName(name) : `dev.kubelab.${group || 'core'}.${version}.${kind}`;
}

export const STATUS_SCHEMA = schemaName(`${META}.Status`);
export const DELETE_OPTIONS_SCHEMA = schemaName(`${META}.DeleteOptions`);
export const PATCH_SCHEMA = schemaName(`${META}.Patch`);

/**
 * `components.schemas` of one group version's document: the schemas of its kinds and their lists,
 * everything they refer to, and Status, DeleteOptions and Patch (the operations use them).
 */
export function groupVersionSchemas(group: string, version: string, allKinds: readonly KindRef[]): Record<string, Schema> {
  const { root, builder } = schemaBuilder(allKinds);
  const roots: string[] = [`${META}.Status`, `${META}.DeleteOptions`, `${META}.Patch`];
  const out: Record<string, Schema> = {};
  for (const kind of allKinds.filter((k) => k.group === group && k.version === version)) {
    for (const k of [kind.kind, `${kind.kind}List`]) {
      const name = protoNameOf(kind.group, kind.version, k);
      if (name && lookupMessage(root, name)) roots.push(name);
      // A kind without a proto schema: an open object, so the operations' $refs resolve (no GVK: kubectl apply then patches as before).
      else out[kindSchemaName(kind.group, kind.version, k)] = { type: 'object' };
    }
  }
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const { schema, refs } = builder.message(name);
    out[schemaName(name)] = schema;
    for (const next of refs) if (!seen.has(next)) queue.push(next);
  }
  return sortKeys(out);
}

function lookupMessage(root: protobuf.Root, name: string): protobuf.Type | undefined {
  const found = root.lookup(name);
  return found instanceof protobuf.Type ? found : undefined;
}

/** Core v1 kinds that served kinds embed, with their TypeMeta like any kind. */
const EMBEDDED_KINDS: Readonly<Record<string, string>> = { PersistentVolumeClaim: 'k8s.io.api.core.v1.PersistentVolumeClaim' };

let cached: { key: string; root: protobuf.Root; builder: SchemaBuilder } | undefined;

/** One builder (and so each message's schema computed once) per set of served kinds. */
function schemaBuilder(allKinds: readonly KindRef[]): { root: protobuf.Root; builder: SchemaBuilder } {
  const key = allKinds.map((k) => `${k.group}/${k.version}/${k.kind}`).join(',');
  if (cached?.key === key) return cached;
  const kinds = new Map<string, Gvk[]>();
  const add = (protoName: string, gvk: Gvk) => kinds.set(protoName, [...(kinds.get(protoName) ?? []), gvk]);
  const groupVersions = new Map<string, KindRef>();
  for (const k of allKinds) {
    const name = protoNameOf(k.group, k.version, k.kind);
    if (!name) continue;
    add(name, { group: k.group, kind: k.kind, version: k.version });
    add(`${name}List`, { group: k.group, kind: `${k.kind}List`, version: k.version });
    groupVersions.set(`${k.group}/${k.version}`, k);
  }
  // Kinds inside served kinds (a StatefulSet's volumeClaimTemplates are PersistentVolumeClaims) are kinds all the same.
  for (const [kind, protoName] of Object.entries(EMBEDDED_KINDS)) if (!kinds.has(protoName)) add(protoName, { group: '', kind, version: 'v1' });
  // meta/v1 kinds: Status is served as v1; DeleteOptions is accepted in every group version.
  add(`${META}.Status`, { group: '', kind: 'Status', version: 'v1' });
  add(`${META}.DeleteOptions`, { group: '', kind: 'DeleteOptions', version: 'v1' });
  for (const gv of groupVersions.values()) if (gv.group) add(`${META}.DeleteOptions`, { group: gv.group, kind: 'DeleteOptions', version: gv.version });
  const builder = new SchemaBuilder(kinds);
  cached = { key, root: loadKubernetesProtos(), builder };
  return cached;
}
