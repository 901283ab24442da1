import { BucketRateLimiter, isNotFound, ItemExponentialFailureRateLimiter, MaxOfRateLimiter, Resources, splitMetaNamespaceKey, type Clock, type EventRecorder, type Informer, type KubeObject, type RateLimiter } from '@kubelab/client';
import type { ControllerContext } from '../../controller/context';
import { hasSelector, podSpec, podsSelectedBy, primaryIPFamily, serviceSpec, shouldPodBeInEndpoints } from '../../controller/endpoint-util';
import { hasNamespaceTerminatingCause } from '../../controller/namespace-terminating';
import { QueueController } from '../../controller/queue-controller';
import { addServiceAndPodHandlers } from '../../controller/service-pod-handlers';
import { StaleCacheTracker } from '../../controller/stale-cache-tracker';
import { setTriggerTimeAnnotation, TriggerTimeTracker } from '../../controller/trigger-time-tracker';
import { endpointKey, endpointPorts, podToEndpoint, portMapKey, type AddressType } from './endpoint';
import { CONTROLLER_NAME, MANAGED_BY_LABEL, SERVICE_NAME_LABEL, type EndpointSlice } from './endpoint-slice';
import { MAX_ENDPOINTS_PER_SLICE, planSlices, type DesiredGroup, type SlicePlan } from './reconciler';

/** kube-controller-manager's --concurrent-service-endpoint-syncs default. */
const CONCURRENT_SYNCS = 5;
/** A failed syncService is retried after 1 s, doubling to 1000 s (defaultSyncBackOff, maxSyncBackOff). */
const DEFAULT_SYNC_BACKOFF_MS = 1_000;
const MAX_SYNC_BACKOFF_MS = 1_000_000;
/** The slices this controller manages, by `namespace/service`. */
const SLICES_BY_SERVICE_INDEX = 'endpointSliceService';

/**
 * The EndpointSlice controller (pkg/controller/endpointslice): for every Service with a selector,
 * EndpointSlices (discovery.k8s.io/v1, at most 100 endpoints each, named `<service>-xxxxx`, owned
 * by the Service) that list the selected pods with their conditions (ready, serving,
 * terminating), node and zone. Slices are updated in place; a Service with no endpoints has one
 * empty slice. When the Service goes, the garbage collector removes its slices (owner references).
 */
export class EndpointSliceController extends QueueController {
  private readonly serviceInformer: Informer<KubeObject>;
  private readonly podInformer: Informer<KubeObject>;
  private readonly nodeInformer: Informer<KubeObject>;
  private readonly sliceInformer: Informer<KubeObject>;
  private readonly recorder: EventRecorder;
  private readonly triggerTimes = new TriggerTimeTracker();
  private readonly written = new StaleCacheTracker();

  constructor(
    ctx: ControllerContext,
    private readonly maxEndpointsPerSlice = MAX_ENDPOINTS_PER_SLICE,
  ) {
    super('endpointslice-controller', ctx, { concurrentSyncs: CONCURRENT_SYNCS, rateLimiter: syncRateLimiter(ctx.clock) });
    this.serviceInformer = ctx.informers.informer(Resources.services);
    this.podInformer = ctx.informers.informer(Resources.pods);
    this.nodeInformer = ctx.informers.informer(Resources.nodes);
    this.sliceInformer = ctx.informers.informer(Resources.endpointslices, { [SLICES_BY_SERVICE_INDEX]: (slice) => (managedHere(slice) && serviceKeyOf(slice) ? [serviceKeyOf(slice)!] : []) });
    // Kubernetes' EndpointSlice controller signs its events so, with the hyphen.
    this.recorder = ctx.recorder('endpoint-slice-controller');
    addServiceAndPodHandlers(this.serviceInformer, this.podInformer, (service) => this.enqueue(service));
    this.sliceInformer.addEventHandler({
      onAdd: (slice) => this.sliceChanged(slice),
      onUpdate: (old, slice) => {
        // A slice taken over by (or from) another manager concerns the Service it was for.
        if (managedHere(old) !== managedHere(slice)) this.enqueueSliceService(old);
        this.sliceChanged(slice);
      },
      onDelete: (slice) => {
        const key = serviceKeyOf(slice);
        if (!managedHere(slice) || !key) return;
        this.written.observedDeletion(key, slice);
        this.enqueue(key);
      },
    });
  }

  protected informers(): Informer<KubeObject>[] {
    return [this.serviceInformer, this.podInformer, this.nodeInformer, this.sliceInformer];
  }

  /** syncService. */
  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const service = this.serviceInformer.indexer.getByKey(key);
    if (!service) {
      // The garbage collector deletes the slices of a deleted Service: they name it as owner.
      this.triggerTimes.deleteService(namespace ?? '', name);
      this.written.forget(key);
      return;
    }
    if (!hasSelector(service)) return;

    const pods = podsSelectedBy(this.podInformer.indexer, service).sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
    // Slices on their way out are not counted on (dropEndpointSlicesPendingDeletion).
    const slices = this.sliceInformer.indexer.byIndex(SLICES_BY_SERVICE_INDEX, key).filter((slice) => !slice.metadata.deletionTimestamp) as EndpointSlice[];
    if (this.written.isStale(key, slices)) throw new Error(`EndpointSlice informer cache is out of date for ${key}`);
    const triggerTime = this.triggerTimes.compute(service, pods);

    const errors: string[] = [];
    const addressTypes = addressTypesOf(service);
    for (const addressType of addressTypes) {
      const desired = this.desiredEndpoints(service, pods, addressType, errors);
      const plan = planSlices(
        service,
        slices.filter((slice) => slice.addressType === addressType),
        desired,
        addressType,
        this.maxEndpointsPerSlice,
      );
      const failed = await this.write(key, service, plan, triggerTime);
      if (failed) errors.push(failed);
    }
    // Slices of an address type the Service no longer has.
    for (const slice of slices.filter((s) => !addressTypes.includes(s.addressType))) {
      const failed = await this.deleteSlice(key, service, slice);
      if (failed) errors.push(`error deleting ${slice.metadata.name} EndpointSlice for Service ${namespace}/${name}: ${failed}`);
    }

    if (errors.length) {
      const message = errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`;
      this.recorder.event(service, 'Warning', 'FailedToUpdateEndpointSlices', `Error updating Endpoint Slices for Service ${namespace}/${name}: ${message}`);
      throw new Error(message);
    }
  }

  /** The endpoints the pods make, grouped by the ports they resolve. */
  private desiredEndpoints(service: KubeObject, pods: KubeObject[], addressType: AddressType, errors: string[]): Map<string, DesiredGroup> {
    const desired = new Map<string, DesiredGroup>();
    const publishNotReady = serviceSpec(service).publishNotReadyAddresses === true;
    for (const pod of pods) {
      if (!shouldPodBeInEndpoints(pod, true)) continue;
      const ports = endpointPorts(service, pod);
      const portsKey = portMapKey(ports);
      let group = desired.get(portsKey);
      if (!group) desired.set(portsKey, (group = { ports, endpoints: new Map() }));
      const nodeName = podSpec(pod).nodeName ?? '';
      const node = this.nodeInformer.indexer.get(undefined, nodeName);
      if (!node && !publishNotReady) {
        // The pod is left out until its node shows up (or the pod is collected); the Service is retried.
        errors.push(`skipping Pod ${pod.metadata.name} for Service ${service.metadata.namespace}/${service.metadata.name}: Node ${nodeName} Not Found`);
        continue;
      }
      const endpoint = podToEndpoint(pod, node, service, addressType);
      if (endpoint.addresses.length) group.endpoints.set(endpointKey(endpoint), endpoint);
    }
    return desired;
  }

  /** finalize: the writes of a plan, stopping at the first failure (returned as its message). */
  private async write(key: string, service: KubeObject, plan: SlicePlan, triggerTime: number): Promise<string | undefined> {
    const { namespace, name } = service.metadata;
    // No new slices for a Service on its way out: the garbage collector would race them.
    if (!service.metadata.deletionTimestamp) {
      for (const slice of plan.create) {
        setTriggerTimeAnnotation(slice, triggerTime);
        try {
          this.written.wrote(key, await this.ctx.client.create(Resources.endpointslices, slice));
        } catch (error) {
          // In a namespace being deleted every create fails alike.
          if (hasNamespaceTerminatingCause(error)) return undefined;
          return `failed to create EndpointSlice for Service ${namespace}/${name}: ${(error as Error).message}`;
        }
      }
    }
    for (const slice of plan.update) {
      setTriggerTimeAnnotation(slice, triggerTime);
      try {
        this.written.wrote(key, await this.ctx.client.update(Resources.endpointslices, slice));
      } catch (error) {
        return `failed to update ${slice.metadata.name} EndpointSlice for Service ${namespace}/${name}: ${(error as Error).message}`;
      }
    }
    for (const slice of plan.delete) {
      const failed = await this.deleteSlice(key, service, slice);
      if (failed) return `failed to delete ${slice.metadata.name} EndpointSlice for Service ${namespace}/${name}: ${failed}`;
    }
    return undefined;
  }

  /** deleteEndpointSlice: a slice already gone is fine. */
  private async deleteSlice(key: string, service: KubeObject, slice: EndpointSlice): Promise<string | undefined> {
    try {
      await this.ctx.client.delete(Resources.endpointslices, service.metadata.namespace, slice.metadata.name!);
      this.written.deleted(key, slice);
      return undefined;
    } catch (error) {
      return isNotFound(error) ? undefined : (error as Error).message;
    }
  }

  /** A slice of ours that we did not just write ourselves: someone changed it, look again. */
  private sliceChanged(slice: KubeObject): void {
    const key = serviceKeyOf(slice);
    if (!managedHere(slice) || !key || this.written.isOwnWrite(key, slice)) return;
    this.enqueue(key);
  }

  private enqueueSliceService(slice: KubeObject): void {
    const key = serviceKeyOf(slice);
    if (key) this.enqueue(key);
  }
}

/** The controller's queue rate limiter: its own per-Service back-off, and client-go's overall 10 qps (burst 100). */
function syncRateLimiter(clock: Clock): RateLimiter<string> {
  return new MaxOfRateLimiter<string>(new ItemExponentialFailureRateLimiter<string>(DEFAULT_SYNC_BACKOFF_MS, MAX_SYNC_BACKOFF_MS), new BucketRateLimiter<string>(10, 100, clock));
}

function managedHere(slice: KubeObject): boolean {
  return slice.metadata.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME;
}

/** `namespace/service` of the Service a slice says it belongs to. */
function serviceKeyOf(slice: KubeObject): string | undefined {
  const service = slice.metadata.labels?.[SERVICE_NAME_LABEL];
  return service ? `${slice.metadata.namespace}/${service}` : undefined;
}

/** getAddressTypesForService: one address type per IP family of the Service (the apiserver always sets them). */
function addressTypesOf(service: KubeObject): AddressType[] {
  const families = serviceSpec(service).ipFamilies ?? [];
  const types = families.filter((f): f is AddressType => f === 'IPv4' || f === 'IPv6');
  return types.length ? [...new Set(types)] : [primaryIPFamily(service)];
}
