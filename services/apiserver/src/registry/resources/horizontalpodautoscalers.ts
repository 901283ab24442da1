import { age, ageColumn, column, nameColumn } from '../printing';
import type { KubeObject, ResourceType } from '../types';

interface Metric {
  type: string;
  resource?: { name: string; target: { type: string; averageUtilization?: number; averageValue?: string; value?: string } };
  pods?: { metric: { name: string }; target: { averageValue?: string } };
  object?: { metric: { name: string }; target: { value?: string; averageValue?: string } };
  external?: { metric: { name: string }; target: { value?: string; averageValue?: string } };
}
interface MetricStatus {
  type: string;
  resource?: { name: string; current: { averageUtilization?: number; averageValue?: string; value?: string } };
  pods?: { current: { averageValue?: string } };
  object?: { current: { value?: string; averageValue?: string } };
  external?: { current: { value?: string; averageValue?: string } };
}

/** TARGETS as kubectl prints it: "cpu: 12%/50%", "<unknown>/50%", "+ 2 more...". */
function targets(hpa: KubeObject): string {
  const specs = (hpa.spec?.metrics as Metric[] | undefined) ?? [];
  const statuses = (hpa.status?.currentMetrics as MetricStatus[] | undefined) ?? [];
  if (specs.length === 0) return '<none>';
  const parts = specs.map((spec, i) => {
    const current = statuses[i];
    switch (spec.type) {
      case 'Resource': {
        const target = spec.resource!.target;
        if (target.type === 'Utilization') {
          const now = current?.resource?.current.averageUtilization;
          return `${spec.resource!.name}: ${now === undefined ? '<unknown>' : `${now}%`}/${target.averageUtilization}%`;
        }
        const now = current?.resource?.current.averageValue;
        return `${spec.resource!.name}: ${now ?? '<unknown>'}/${target.averageValue}`;
      }
      case 'Pods':
        return `${current?.pods?.current.averageValue ?? '<unknown>'}/${spec.pods!.target.averageValue}`;
      case 'Object':
        return `${current?.object?.current.value ?? current?.object?.current.averageValue ?? '<unknown>'}/${spec.object!.target.value ?? `${spec.object!.target.averageValue} (avg)`}`;
      case 'External':
        return `${current?.external?.current.value ?? current?.external?.current.averageValue ?? '<unknown>'}/${spec.external!.target.value ?? `${spec.external!.target.averageValue} (avg)`}`;
      default:
        return '<unknown type>';
    }
  });
  return parts.length > 2 ? `${parts.slice(0, 2).join(', ')} + ${parts.length - 2} more...` : parts.join(', ');
}

export const horizontalpodautoscalers: ResourceType = {
  group: 'autoscaling',
  version: 'v2',
  kind: 'HorizontalPodAutoscaler',
  resource: 'horizontalpodautoscalers',
  singular: 'horizontalpodautoscaler',
  shortNames: ['hpa'],
  categories: ['all'],
  namespaced: true,
  subresources: ['status'],
  strategy: {
    prepareForCreate(hpa) {
      defaultHPA(hpa);
      hpa.status = { currentReplicas: 0, desiredReplicas: 0 };
    },
    prepareForUpdate(hpa, old) {
      defaultHPA(hpa);
      hpa.status = old.status;
    },
  },
  printer: {
    columns: [
      nameColumn,
      column('Reference', 'string', 'reference to scaled resource; horizontal pod autoscaler will learn the current resource consumption and will set the desired number of pods by using its Scale subresource.'),
      column('Targets', 'string', 'metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).'),
      column('MinPods', 'string', 'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.'),
      column('MaxPods', 'integer', 'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.'),
      column('Replicas', 'integer', 'currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.'),
      ageColumn,
    ],
    row(hpa, now) {
      const ref = (hpa.spec?.scaleTargetRef ?? {}) as { kind?: string; name?: string };
      return [hpa.metadata.name, `${ref.kind}/${ref.name}`, targets(hpa), hpa.spec?.minReplicas ?? '<unset>', hpa.spec?.maxReplicas ?? 0, (hpa.status as { currentReplicas?: number } | undefined)?.currentReplicas ?? 0, age(hpa.metadata.creationTimestamp, now)];
    },
  },
};

/** SetDefaults_HorizontalPodAutoscaler (autoscaling/v2), on create and on every update. */
function defaultHPA(hpa: KubeObject): void {
  const spec = (hpa.spec ??= {}) as Record<string, unknown>;
  spec.minReplicas ??= 1;
  if (!(spec.metrics as unknown[] | undefined)?.length) spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
}
