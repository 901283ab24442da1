import type { KubeObject } from '@kubelab/apimachinery';
import type { FieldErrorList } from '../errors';

export type { KubeObject, ObjectMeta } from '@kubelab/apimachinery';

/** A column of `kubectl get`, as the apiserver's Table response describes it. */
export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description: string;
  /** 0: always shown; 1: only with `-o wide`. */
  priority: number;
}

/** How one resource behaves: Kubernetes' REST strategy (defaults, validation, status split, printing). */
export interface Strategy {
  /** Defaults and clean-ups on create (status reset, spec defaults). */
  prepareForCreate?(object: KubeObject): void;
  /** On update of the main resource: carry over what the main resource may not change (status). */
  prepareForUpdate?(object: KubeObject, old: KubeObject): void;
  validate?(object: KubeObject): FieldErrorList;
  /** Checks only a new object must pass (Kubernetes' Validate where ValidateUpdate differs: events.k8s.io's strict rules). */
  validateCreate?(object: KubeObject): FieldErrorList;
  validateUpdate?(object: KubeObject, old: KubeObject): FieldErrorList;
  /** What a new object is warned of (Kubernetes' WarningsOnCreate): `Warning` headers, which kubectl prints. */
  warningsOnCreate?(object: KubeObject): string[];
  /** What an updated object is warned of (WarningsOnUpdate). */
  warningsOnUpdate?(object: KubeObject, old: KubeObject): string[];
  /** Fields `fieldSelector` may name, besides metadata.name and metadata.namespace. */
  selectableFields?(object: KubeObject): Record<string, string>;
}

/** Between a served version and the version its objects are stored as (both as JSON). */
export interface Conversion {
  toStorage(object: KubeObject): KubeObject;
  fromStorage(object: KubeObject): KubeObject;
}

export interface Printer {
  columns: TableColumn[];
  row(object: KubeObject, now: Date): unknown[];
}

/** One served resource: its names, scope, storage, and strategy. */
export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  /** The plural, lower-case name in URLs: "pods". */
  resource: string;
  singular: string;
  shortNames?: string[];
  categories?: string[];
  namespaced: boolean;
  /** Where it lives under /registry when it is not the plural ("services/specs", "minions"). */
  storagePath?: string;
  /**
   * For a version that is a view of objects stored as another version (events.k8s.io/v1 of core
   * v1 Events, autoscaling/v1 of autoscaling/v2 HPAs, sharing their storagePath): how an object
   * turns into the stored form and back. The object store applies it on every read and write,
   * so the registry, strategy, printer, selectors and watches only ever see this version.
   */
  convert?: Conversion;
  /**
   * Subresources served besides the object itself, as discovery lists them (a pod's log, exec,
   * attach, portforward and proxy, and a service's proxy, are served by streaming/).
   */
  subresources?: Array<'status' | 'finalize' | 'scale' | 'binding' | 'log' | 'eviction' | 'proxy' | 'exec' | 'attach' | 'portforward' | 'ephemeralcontainers'>;
  /** Main-resource updates keep the old status (true for every kind with a status subresource). */
  strategy: Strategy;
  printer: Printer;
  /**
   * A review (SelfSubjectAccessReview, ...): nothing is stored; a create is answered with the
   * review's result, and create is the only verb.
   */
  review?: (request: KubeObject) => KubeObject;
}

export function groupVersion(type: Pick<ResourceType, 'group' | 'version'>): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}
