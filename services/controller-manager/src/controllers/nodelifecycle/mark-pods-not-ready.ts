import { isNotFound, Resources, type EventRecorder, type KubeObject, type ObjectsClient } from '@kubelab/client';
import { podCondition } from '../../controller/pod-util';
import { updatePodCondition } from '../../controller/update-pod-condition';

/**
 * Sets Ready=False on the pods of a node that stopped reporting (MarkPodsNotReady): nobody else
 * will, since their kubelet is gone, and Services must stop sending them traffic. Each pod
 * changed gets a Warning NodeNotReady "Node is not ready" event. A pod already gone is skipped;
 * other failures are thrown after every pod has been tried.
 */
export async function markPodsNotReady(client: ObjectsClient, recorder: EventRecorder, pods: KubeObject[], nodeName: string, nowMs: number): Promise<void> {
  const errors: Error[] = [];
  for (const cached of pods) {
    if (cached.spec?.nodeName !== nodeName) continue;
    const ready = podCondition(cached, 'Ready');
    if (!ready) continue;
    const pod = structuredClone(cached);
    if (!updatePodCondition(pod.status!, { ...ready, status: 'False' }, nowMs)) continue;
    try {
      await client.updateStatus(Resources.pods, pod);
    } catch (error) {
      if (isNotFound(error)) continue;
      errors.push(error as Error);
    }
    recorder.event({ apiVersion: 'v1', kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid }, 'Warning', 'NodeNotReady', 'Node is not ready');
  }
  if (errors.length) throw new Error(`marking pods of node ${nodeName} NotReady: ${errors.map((e) => e.message).join('; ')}`);
}
