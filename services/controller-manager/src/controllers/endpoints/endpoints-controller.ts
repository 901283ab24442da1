import { isNotFound, metaNamespaceKey, Resources, splitMetaNamespaceKey, type EventRecorder, type Informer, type KubeObject } from '@kubelab/client';
import type { ControllerContext } from '../../controller/context';
import { hasSelector, isServiceIPSet, podsSelectedBy } from '../../controller/endpoint-util';
import { hasNamespaceTerminatingCause } from '../../controller/namespace-terminating';
import { QueueController } from '../../controller/queue-controller';
import { semanticEqual } from '../../controller/semantic-equal';
import { addServiceAndPodHandlers } from '../../controller/service-pod-handlers';
import { StaleCacheTracker } from '../../controller/stale-cache-tracker';
import { setTriggerTimeAnnotation, TriggerTimeTracker } from '../../controller/trigger-time-tracker';
import { capacityAnnotationSetCorrectly, OVER_CAPACITY, truncateSubsets } from './over-capacity';
import { endpointSubsets } from './subsets';
import type { EndpointSubset } from './types';

/** kube-controller-manager's --concurrent-endpoint-syncs default. */
const CONCURRENT_SYNCS = 5;
/** Set on the Endpoints of a headless Service (v1.IsHeadlessService). */
export const HEADLESS_SERVICE_LABEL = 'service.kubernetes.io/headless';
/** Endpoints used as a leader-election lock carry this; they have no Service and must stay. */
const LEADER_ELECTION_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';

/**
 * The endpoints controller (pkg/controller/endpoint): for every Service with a selector, an
 * Endpoints object of the same name listing the selected pods, ready ones under `addresses` and
 * the others under `notReadyAddresses`, per resolved port. The Endpoints of a Service that is
 * gone are deleted; a Service without a selector (`kubernetes` in default) is left to whoever
 * writes its Endpoints.
 */
export class EndpointsController extends QueueController {
  private readonly serviceInformer: Informer<KubeObject>;
  private readonly podInformer: Informer<KubeObject>;
  private readonly endpointsInformer: Informer<KubeObject>;
  private readonly recorder: EventRecorder;
  private readonly triggerTimes = new TriggerTimeTracker();
  private readonly written = new StaleCacheTracker();

  constructor(ctx: ControllerContext) {
    super('endpoints-controller', ctx, { concurrentSyncs: CONCURRENT_SYNCS });
    this.serviceInformer = ctx.informers.informer(Resources.services);
    this.podInformer = ctx.informers.informer(Resources.pods);
    this.endpointsInformer = ctx.informers.informer(Resources.endpoints);
    this.recorder = ctx.recorder('endpoint-controller');
    addServiceAndPodHandlers(this.serviceInformer, this.podInformer, (service) => this.enqueue(service));
    this.endpointsInformer.addEventHandler({
      // Every Endpoints is looked at once at the start: one whose Service went while we were away is deleted (checkLeftoverEndpoints).
      onAdd: (endpoints, isInInitialList) => {
        if (isInInitialList && endpoints.metadata.annotations?.[LEADER_ELECTION_ANNOTATION] === undefined) this.enqueue(endpoints);
      },
      onDelete: (endpoints) => {
        this.written.observedDeletion(metaNamespaceKey(endpoints), endpoints);
        this.enqueue(endpoints);
      },
    });
  }

  protected informers(): Informer<KubeObject>[] {
    return [this.serviceInformer, this.podInformer, this.endpointsInformer];
  }

  /** syncService. */
  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const service = this.serviceInformer.indexer.getByKey(key);
    if (!service) {
      // The Service is gone: so are its Endpoints.
      await this.ctx.client.delete(Resources.endpoints, namespace, name).catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
      this.triggerTimes.deleteService(namespace ?? '', name);
      this.written.forget(key);
      return;
    }
    if (!hasSelector(service)) return;

    const pods = podsSelectedBy(this.podInformer.indexer, service);
    // Computed on every sync, so that its memory of the pods moves on even when nothing is written.
    const triggerTime = this.triggerTimes.compute(service, pods);
    const subsets = endpointSubsets(service, pods);

    const cached = this.endpointsInformer.indexer.getByKey(key);
    if (this.written.isStale(key, cached ? [cached] : [])) throw new Error(`endpoints informer cache is out of date for ${key}`);
    const current: KubeObject = cached ? structuredClone(cached) : { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace, labels: service.metadata.labels } };
    const creating = !cached;
    const currentLabels = { ...current.metadata.labels };
    delete currentLabels[HEADLESS_SERVICE_LABEL];
    if (
      !creating &&
      semanticEqual(current.subsets, subsets) &&
      semanticEqual(currentLabels, service.metadata.labels) &&
      capacityAnnotationSetCorrectly(current.metadata.annotations, (current.subsets as EndpointSubset[] | undefined) ?? [])
    ) {
      return;
    }

    const next = current;
    next.subsets = subsets;
    setTriggerTimeAnnotation(next, triggerTime);
    const annotations = { ...next.metadata.annotations };
    if (truncateSubsets(subsets)) annotations[OVER_CAPACITY] = 'truncated';
    else delete annotations[OVER_CAPACITY];
    if (Object.keys(annotations).length) next.metadata.annotations = annotations;
    else delete next.metadata.annotations;
    const labels = { ...service.metadata.labels };
    if (!isServiceIPSet(service)) labels[HEADLESS_SERVICE_LABEL] = '';
    if (Object.keys(labels).length) next.metadata.labels = labels;
    else delete next.metadata.labels;
    if (!subsets.length) delete next.subsets;

    try {
      const stored = creating ? await this.ctx.client.create(Resources.endpoints, next) : await this.ctx.client.update(Resources.endpoints, next);
      this.written.wrote(key, stored);
    } catch (error) {
      // In a namespace being deleted every create fails alike: drop the key.
      if (creating && hasNamespaceTerminatingCause(error)) return;
      const message = (error as Error).message;
      if (creating) this.recorder.event(next, 'Warning', 'FailedToCreateEndpoint', `Failed to create endpoint for service ${namespace}/${name}: ${message}`);
      else this.recorder.event(next, 'Warning', 'FailedToUpdateEndpoint', `Failed to update endpoint ${namespace}/${name}: ${message}`);
      throw error;
    }
  }
}
