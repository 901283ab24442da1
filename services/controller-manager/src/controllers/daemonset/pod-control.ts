import { isNotFound, Resources, type EventRecorder, type KubeObject, type ObjectsClient } from '@kubelab/client';
import type { OwnerReference } from '@kubelab/apimachinery';
import { hasNamespaceTerminatingCause } from '../../controller/namespace-terminating';
import { podFromTemplate } from '../../controller/pod-util';
import type { PodTemplateSpec } from './types';

/**
 * controller.RealPodControl: creates and deletes a controller's pods and records on the
 * controller what it did ("Created pod: fluentd-x2k4v", "Deleted pod: fluentd-x2k4v"), or what
 * failed ("Error creating: ..."), as the ReplicaSet and DaemonSet controllers do.
 */
export class PodControl {
  constructor(
    private readonly client: ObjectsClient,
    private readonly recorder: EventRecorder,
  ) {}

  async createPod(owner: KubeObject, template: PodTemplateSpec, controllerRef: OwnerReference): Promise<KubeObject> {
    if (!Object.keys(template.metadata?.labels ?? {}).length) throw new Error('unable to create pods, no labels');
    const pod = podFromTemplate(template as KubeObject, owner.metadata.namespace!, `${owner.metadata.name}-`, controllerRef);
    try {
      const created = await this.client.create(Resources.pods, pod);
      this.recorder.event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
      return created;
    } catch (error) {
      // A namespace being deleted refuses every pod: not worth an event.
      if (!hasNamespaceTerminatingCause(error)) this.recorder.event(owner, 'Warning', 'FailedCreate', `Error creating: ${(error as Error).message}`);
      throw error;
    }
  }

  async deletePod(owner: KubeObject, name: string): Promise<void> {
    try {
      await this.client.delete(Resources.pods, owner.metadata.namespace, name);
    } catch (error) {
      if (isNotFound(error)) throw error;
      this.recorder.event(owner, 'Warning', 'FailedDelete', `Error deleting: ${(error as Error).message}`);
      throw new Error(`unable to delete pods: ${(error as Error).message}`, { cause: error });
    }
    this.recorder.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
  }
}
