import { FieldPath, isNotFound, managedFieldsAfterUpdate, required, type JsonObject, type ManagedFieldsEntry } from '@kubelab/apimachinery';
import { ApiError, Errors } from '../errors';
import type { ObjectStore } from '../storage/object-store';
import { carrySystemMeta, fillSystemMeta, generateName, timestamp, validateObjectMeta } from './object-meta';
import { admitDefaultTolerationSeconds } from './admission/default-toleration-seconds';
import { admitNamespaceLifecycle } from './admission/namespace-lifecycle';
import { admitPodPriority } from './admission/pod-priority';
import { namespaces } from './resources/namespaces';
import { pods } from './resources/pods';
import { withEphemeralContainers } from './resources/ephemeral-containers';
import { ServiceAllocator } from './service-allocator';
import { groupVersion, type KubeObject, type ResourceType } from './types';

/** What the admission plugins are configured with (kube-apiserver's flags). */
export interface AdmissionConfig {
  defaultNotReadyTolerationSeconds: number;
  defaultUnreachableTolerationSeconds: number;
}

export const DEFAULT_ADMISSION: AdmissionConfig = { defaultNotReadyTolerationSeconds: 300, defaultUnreachableTolerationSeconds: 300 };

export interface WriteOptions {
  dryRun?: boolean;
  /** A create by server-side apply: the new object's managedFields (any other create has none). */
  managedFields?: ManagedFieldsEntry[];
  /**
   * Who writes, for managedFields (any write but an apply): the fields this create, update or
   * patch sets go to this manager's Update entry. `subresource` is the one recorded, when it is
   * not the one written (`scale`, which writes the object).
   */
  fieldManager?: { name: string; subresource?: string };
  /** Filled with the strategy's warnings for the object written (the response's `Warning` headers). */
  warnings?: string[];
}

export interface DeleteOptions extends WriteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
}

/**
 * The generic registry (Kubernetes' registry/generic/registry.Store): one code path for every
 * resource's create, update, patch and delete, with the resource's strategy deciding defaults,
 * validation and what the main resource and its status subresource may change.
 */
export class GenericRegistry {
  private readonly serviceAllocator: ServiceAllocator;

  constructor(
    readonly store: ObjectStore,
    private readonly clock: { now(): Date } = { now: () => new Date() },
    private readonly admission: AdmissionConfig = DEFAULT_ADMISSION,
    serviceClusterIPRange?: string,
  ) {
    this.serviceAllocator = new ServiceAllocator(store, serviceClusterIPRange);
  }

  get(type: ResourceType, namespace: string | undefined, name: string): Promise<KubeObject> {
    return this.store.get(type, namespace, name);
  }

  /**
   * Creates an object from `body`, which becomes the registry's (callers pass an object they just
   * decoded or built, and do not use again): a request body is not copied.
   */
  async create(type: ResourceType, namespace: string | undefined, body: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    // A JSON `null` decodes to an empty object of the endpoint's kind, as Kubernetes' decoder leaves it.
    const object = body ?? ({} as KubeObject);
    // What the client asked for, before defaults and a drawn name change the object.
    const requestedName = object.metadata?.name;
    const generateNameBase = object.metadata?.generateName;
    this.checkTypeMeta(type, object);
    object.apiVersion = groupVersion(type);
    object.kind = type.kind;
    object.metadata ??= {};
    if (type.namespaced) {
      if (object.metadata.namespace && object.metadata.namespace !== namespace) {
        throw Errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      object.metadata.namespace = namespace;
    } else {
      delete object.metadata.namespace;
    }
    if (!object.metadata.name && object.metadata.generateName) object.metadata.name = generateName(object.metadata.generateName);
    const name = object.metadata.name;
    if (!name) throw Errors.invalid(type, '', [required(FieldPath.of('metadata', 'name'), 'name or generateName is required')]);
    const now = this.clock.now();
    fillSystemMeta(object, now);
    if (options.managedFields) object.metadata.managedFields = options.managedFields;
    if (type === pods) await this.admitPod(object);
    type.strategy.prepareForCreate?.(object);
    const errors = [...validateObjectMeta(object, type.kind), ...(type.strategy.validate?.(object) ?? []), ...(type.strategy.validateCreate?.(object) ?? [])];
    if (errors.length) throw Errors.invalid(type, name, errors);
    options.warnings?.push(...(type.strategy.warningsOnCreate?.(object) ?? []));
    if (options.fieldManager && !options.managedFields) this.recordManager(type, undefined, object, options.fieldManager, now);
    // NamespaceLifecycle admission (it sees the name before a generateName is drawn).
    if (type.namespaced) await admitNamespaceLifecycle(this.store, type, namespace!, requestedName || generateNameBase || 'Unknown');
    if (type.kind === 'Service') {
      // The allocation and the write take one turn: a concurrent create sees this Service stored.
      return this.serviceAllocator.exclusive(async () => {
        await this.serviceAllocator.allocate(object);
        return this.createStored(type, object, options, requestedName, generateNameBase);
      });
    }
    return this.createStored(type, object, options, requestedName, generateNameBase);
  }

  /** The write of a create (none for a dry run), drawing a generated name again if it is taken. */
  private async createStored(type: ResourceType, object: KubeObject, options: WriteOptions, requestedName: string | undefined, generateNameBase: string | undefined): Promise<KubeObject> {
    const namespace = object.metadata.namespace;
    const name = object.metadata.name!;
    if (options.dryRun) {
      await this.store.get(type, namespace, name).then(
        () => {
          throw Errors.alreadyExists(type, name);
        },
        (error: unknown) => {
          if (!isNotFound(error)) throw error;
        },
      );
      return object;
    }
    // RetryGenerateName (GA in 1.32): a generated name that is taken is drawn again, up to 7 tries.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.store.create(type, object);
      } catch (error) {
        const collided = error instanceof ApiError && error.status.code === 409 && Boolean(generateNameBase) && !requestedName;
        if (!collided || attempt >= 7) throw error;
        object.metadata.name = generateName(generateNameBase!);
      }
    }
  }

  /**
   * Replaces an object (PUT), or its status (the `status` subresource). `compute` turns the stored
   * object into the new one, so PATCH and PUT share this path; a resourceVersion in the result
   * pins the write to that version (409 Conflict if the object moved on).
   */
  async update(type: ResourceType, namespace: string | undefined, name: string, compute: (current: KubeObject) => KubeObject | Promise<KubeObject>, options: WriteOptions & { subresource?: WritableSubresource } = {}): Promise<KubeObject> {
    // A Service's spec may need addresses (a new type) or release them: allocated in the same
    // turn as the write, as on create.
    const allocates = type.kind === 'Service' && !options.subresource;
    if (allocates) return this.serviceAllocator.exclusive(() => this.updateStored(type, namespace, name, compute, options, true));
    return this.updateStored(type, namespace, name, compute, options, false);
  }

  private async updateStored(type: ResourceType, namespace: string | undefined, name: string, compute: (current: KubeObject) => KubeObject | Promise<KubeObject>, options: WriteOptions & { subresource?: WritableSubresource }, allocates: boolean): Promise<KubeObject> {
    let result: KubeObject | undefined;
    const change = async (current: KubeObject): Promise<KubeObject> => {
      const proposed = await compute(structuredClone(current));
      this.checkTypeMeta(type, proposed);
      if (proposed.metadata?.name && proposed.metadata.name !== name) {
        throw Errors.badRequest(`the name of the object (${proposed.metadata.name}) does not match the name on the URL (${name})`);
      }
      if (type.namespaced && proposed.metadata?.namespace && proposed.metadata.namespace !== namespace) {
        throw Errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      let next: KubeObject;
      if (options.subresource === 'status') {
        // The status subresource changes status and nothing else.
        next = { ...current, status: proposed.status, metadata: { ...current.metadata, resourceVersion: proposed.metadata?.resourceVersion } };
      } else if (options.subresource === 'finalize') {
        // A namespace's finalize subresource changes spec.finalizers and nothing else (what the namespace controller calls when it has emptied it).
        next = { ...current, spec: { ...current.spec, finalizers: (proposed.spec?.finalizers as string[] | undefined) ?? [] }, metadata: { ...current.metadata, resourceVersion: proposed.metadata?.resourceVersion } };
      } else if (options.subresource === 'ephemeralcontainers') {
        // A pod's ephemeralcontainers subresource (kubectl debug) adds ephemeral containers and changes nothing else.
        const { pod, errors } = withEphemeralContainers(proposed, current);
        if (errors.length) throw Errors.invalid(type, name, errors);
        next = pod;
      } else {
        next = { ...proposed, apiVersion: groupVersion(type), kind: type.kind, metadata: { ...proposed.metadata, name, ...(type.namespaced ? { namespace } : {}) } };
        carrySystemMeta(next, current);
        // The strategy defaults the new object as a create does, keeps what the client may not
        // change, and counts a new generation if the kind has one.
        type.strategy.prepareForUpdate?.(next, current);
        const errors = [...validateObjectMeta(next, type.kind, false), ...(type.strategy.validate?.(next) ?? []), ...(type.strategy.validateUpdate?.(next, current) ?? [])];
        if (errors.length) throw Errors.invalid(type, name, errors);
        // This attempt's warnings (a lost race runs the change again).
        options.warnings?.splice(0, Infinity, ...(type.strategy.warningsOnUpdate?.(next, current) ?? []));
        if (allocates) await this.serviceAllocator.allocate(next, current);
      }
      if (options.fieldManager) this.recordManager(type, current, next, { subresource: options.subresource, ...options.fieldManager }, this.clock.now());
      if (!next.metadata.resourceVersion) next.metadata.resourceVersion = undefined;
      result = next;
      if (options.dryRun) throw DRY_RUN;
      return next;
    };
    try {
      const stored = await this.store.update(type, namespace, name, change);
      return this.finishDeletionIfDone(type, stored);
    } catch (error) {
      if (error === DRY_RUN) return result!;
      throw error;
    }
  }

  /** managedFields after a write that is not an apply: the writer's Update entry takes what it set (none left: no managedFields). */
  private recordManager(type: ResourceType, current: KubeObject | undefined, next: KubeObject, manager: { name: string; subresource?: string }, now: Date): void {
    const entries = managedFieldsAfterUpdate(current as unknown as JsonObject | undefined, next as unknown as JsonObject, {
      manager: manager.name,
      apiVersion: groupVersion(type),
      kind: type.kind,
      now: timestamp(now),
      ...(manager.subresource ? { subresource: manager.subresource } : {}),
    });
    if (entries.length > 0) next.metadata.managedFields = entries;
    else delete next.metadata.managedFields;
  }

  /**
   * Deletes an object the way Kubernetes does: pods bound to a node and objects with finalizers
   * only get a deletionTimestamp (the kubelet, or the finalizer's owner, finishes the job);
   * everything else goes at once. Returns the object as it was deleted, or as it now waits.
   */
  async delete(type: ResourceType, namespace: string | undefined, name: string, options: DeleteOptions = {}): Promise<{ object: KubeObject; finished: boolean }> {
    if (options.propagationPolicy !== undefined && !PROPAGATION_POLICIES.includes(options.propagationPolicy)) {
      throw Errors.badRequest(`propagationPolicy: Unsupported value: "${options.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`);
    }
    const current = await this.store.get(type, namespace, name);
    checkDeletePreconditions(type, current, options.preconditions);
    const grace = this.gracePeriod(type, current, options);
    const finalizers = [...(current.metadata.finalizers ?? [])];
    if (options.propagationPolicy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
    if (options.propagationPolicy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    if (type === namespaces) {
      // A namespace first turns Terminating; the namespace controller empties it and removes the finalizer.
      if (!current.metadata.deletionTimestamp) {
        return { object: await this.markDeleting(type, namespace, name, 0, finalizers, options, (ns) => (ns.status = { ...ns.status, phase: 'Terminating' })), finished: false };
      }
      // Asked again while the controller is at it: nothing to do yet (Kubernetes' namespace REST.Delete).
      if (((current.spec?.finalizers as string[] | undefined)?.length ?? 0) > 0) return { object: current, finished: false };
    }
    if (finalizers.length > 0 || grace > 0) {
      if (current.metadata.deletionTimestamp && finalizers.length > 0 && grace === 0) return { object: current, finished: false };
      return { object: await this.markDeleting(type, namespace, name, grace, finalizers, options), finished: false };
    }
    if (options.dryRun) return { object: current, finished: true };
    return { object: await this.store.delete(type, namespace, name, options.preconditions), finished: true };
  }

  /** Sets deletionTimestamp (now + grace) and the finalizers, if the object still meets the preconditions; an earlier, shorter deadline stays. */
  private async markDeleting(type: ResourceType, namespace: string | undefined, name: string, grace: number, finalizers: string[], options: DeleteOptions, also?: (o: KubeObject) => void): Promise<KubeObject> {
    const deadline = new Date(this.clock.now().getTime() + grace * 1000);
    const change = (object: KubeObject): KubeObject => {
      const existing = object.metadata.deletionTimestamp;
      if (!existing || Date.parse(existing) > deadline.getTime()) {
        object.metadata.deletionTimestamp = timestamp(deadline);
        object.metadata.deletionGracePeriodSeconds = grace;
      }
      object.metadata.finalizers = finalizers.length ? finalizers : undefined;
      if (!object.metadata.finalizers) delete object.metadata.finalizers;
      delete object.metadata.resourceVersion;
      also?.(object);
      return object;
    };
    if (options.dryRun) return change(await this.store.get(type, namespace, name));
    const updated = await this.store.update(type, namespace, name, change, { preconditions: options.preconditions });
    return this.finishDeletionIfDone(type, updated);
  }

  /** An object that is being deleted, has no finalizers left and no grace period to wait, goes now. */
  private async finishDeletionIfDone(type: ResourceType, object: KubeObject): Promise<KubeObject> {
    const meta = object.metadata;
    if (!meta.deletionTimestamp || (meta.finalizers?.length ?? 0) > 0 || (meta.deletionGracePeriodSeconds ?? 0) > 0) return object;
    // A namespace also waits for its spec.finalizers (the namespace controller's "kubernetes").
    if (type === namespaces && ((object.spec?.finalizers as string[] | undefined)?.length ?? 0) > 0) return object;
    try {
      return await this.store.delete(type, meta.namespace, meta.name!, { resourceVersion: meta.resourceVersion });
    } catch (error) {
      if (error instanceof ApiError && (error.status.code === 404 || error.status.code === 409)) return object;
      throw error;
    }
  }

  /** Pods bound to a node get their grace period (the kubelet stops them); others none. */
  private gracePeriod(type: ResourceType, object: KubeObject, options: DeleteOptions): number {
    if (type.kind !== 'Pod') return 0;
    const bound = Boolean(object.spec?.nodeName);
    const done = object.status?.phase === 'Succeeded' || object.status?.phase === 'Failed';
    if (!bound || done) return 0;
    const requested = options.gracePeriodSeconds ?? (object.spec?.terminationGracePeriodSeconds as number | undefined) ?? 30;
    return Math.max(0, requested);
  }

  /** The mutating admission plugins for pods: Priority, then DefaultTolerationSeconds. */
  private async admitPod(pod: KubeObject): Promise<void> {
    await admitPodPriority(pod, this.store);
    admitDefaultTolerationSeconds(pod, this.admission.defaultNotReadyTolerationSeconds, this.admission.defaultUnreachableTolerationSeconds);
  }

  private checkTypeMeta(type: ResourceType, object: KubeObject): void {
    if (typeof object !== 'object' || object === null || Array.isArray(object)) throw Errors.badRequest('the body of the request must be a JSON object');
    if (object.metadata !== undefined && (typeof object.metadata !== 'object' || object.metadata === null || Array.isArray(object.metadata))) {
      throw Errors.badRequest(`unable to decode the body: metadata must be an object`);
    }
    const expected = groupVersion(type);
    if (object.apiVersion && object.apiVersion !== expected) {
      throw Errors.badRequest(`the API version in the data (${object.apiVersion}) does not match the expected API version (${expected})`);
    }
    if (object.kind && object.kind !== type.kind) throw Errors.badRequest(`the kind in the data (${object.kind}) does not match the expected kind (${type.kind})`);
  }
}

/**
 * DeleteOptions' preconditions against the object as read, before anything is written, in
 * Kubernetes' words: its namespace REST's for a namespace, rest.BeforeDelete's (which names the
 * kind) for everything else. The write itself checks them again (the storage's words).
 */
function checkDeletePreconditions(type: ResourceType, current: KubeObject, preconditions: DeleteOptions['preconditions']): void {
  const { uid, resourceVersion } = preconditions ?? {};
  const meta = current.metadata;
  if (type === namespaces) {
    if (uid && uid !== meta.uid) throw Errors.conflict(type, meta.name!, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${meta.uid ?? ''}`);
    if (resourceVersion && resourceVersion !== meta.resourceVersion) {
      throw Errors.conflict(type, meta.name!, `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion ?? ''}`);
    }
    return;
  }
  const kind = { group: type.group, resource: type.kind };
  if (uid && uid !== meta.uid) {
    throw Errors.conflict(kind, meta.name!, `the UID in the precondition (${uid}) does not match the UID in record (${meta.uid ?? ''}). The object might have been deleted and then recreated`);
  }
  if (resourceVersion && resourceVersion !== meta.resourceVersion) {
    throw Errors.conflict(kind, meta.name!, `the ResourceVersion in the precondition (${resourceVersion}) does not match the ResourceVersion in record (${meta.resourceVersion ?? ''}). The object might have been modified`);
  }
}

/** The subresources written like the object itself: status, a namespace's finalize, a pod's ephemeralcontainers. */
export type WritableSubresource = 'status' | 'finalize' | 'ephemeralcontainers';

const DRY_RUN = Symbol('dry run: computed, not written');

const PROPAGATION_POLICIES: ReadonlyArray<string> = ['Orphan', 'Background', 'Foreground'];
