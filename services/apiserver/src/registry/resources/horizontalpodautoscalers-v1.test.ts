import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../types';
import { BEHAVIOR_ANNOTATION, CONDITIONS_ANNOTATION, hpaV1ToV2, hpaV2ToV1, horizontalpodautoscalersV1, METRIC_SPECS_ANNOTATION, METRIC_STATUSES_ANNOTATION, metricSpecFromV1, metricSpecToV1, metricStatusFromV1, metricStatusToV1 } from './horizontalpodautoscalers-v1';

const meta = { name: 'web', namespace: 'default', uid: 'u-1' };
const scaleTargetRef = { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' };
const cpu = (averageUtilization: number) => ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization } } });

function v2(spec: Record<string, unknown>, status: Record<string, unknown> = { currentReplicas: 1, desiredReplicas: 1 }, annotations?: Record<string, string>): KubeObject {
  return { kind: 'HorizontalPodAutoscaler', apiVersion: 'autoscaling/v2', metadata: { ...meta, ...(annotations ? { annotations } : {}) }, spec: { scaleTargetRef, minReplicas: 1, maxReplicas: 5, ...spec }, status };
}

/** v2 MetricSpec ↔ v1 MetricSpec, each kind of source (pkg/apis/autoscaling/v1/conversion.go). */
const SPECS: Array<[what: string, v2: object, v1: object]> = [
  ['Resource, utilization', cpu(50), { type: 'Resource', resource: { name: 'cpu', targetAverageUtilization: 50 } }],
  ['Resource, average value', { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } }, { type: 'Resource', resource: { name: 'memory', targetAverageValue: '100Mi' } }],
  [
    'ContainerResource',
    { type: 'ContainerResource', containerResource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 }, container: 'app' } },
    { type: 'ContainerResource', containerResource: { name: 'cpu', targetAverageUtilization: 60, container: 'app' } },
  ],
  ['Pods', { type: 'Pods', pods: { metric: { name: 'rps', selector: { matchLabels: { a: 'b' } } }, target: { type: 'AverageValue', averageValue: '10' } } }, { type: 'Pods', pods: { metricName: 'rps', targetAverageValue: '10', selector: { matchLabels: { a: 'b' } } } }],
  [
    'Object, value',
    { type: 'Object', object: { describedObject: { kind: 'Ingress', name: 'main', apiVersion: 'networking.k8s.io/v1' }, target: { type: 'Value', value: '2k' }, metric: { name: 'requests' } } },
    { type: 'Object', object: { target: { kind: 'Ingress', name: 'main', apiVersion: 'networking.k8s.io/v1' }, metricName: 'requests', targetValue: '2k' } },
  ],
  ['External, value', { type: 'External', external: { metric: { name: 'queue' }, target: { type: 'Value', value: '30' } } }, { type: 'External', external: { metricName: 'queue', targetValue: '30' } }],
  ['External, average value', { type: 'External', external: { metric: { name: 'queue' }, target: { type: 'AverageValue', averageValue: '3' } } }, { type: 'External', external: { metricName: 'queue', targetAverageValue: '3' } }],
];

const STATUSES: Array<[what: string, v2: object, v1: object]> = [
  ['Resource', { type: 'Resource', resource: { name: 'cpu', current: { averageValue: '120m', averageUtilization: 42 } } }, { type: 'Resource', resource: { name: 'cpu', currentAverageUtilization: 42, currentAverageValue: '120m' } }],
  ['Pods', { type: 'Pods', pods: { metric: { name: 'rps' }, current: { averageValue: '7' } } }, { type: 'Pods', pods: { metricName: 'rps', currentAverageValue: '7' } }],
  [
    'Object',
    { type: 'Object', object: { describedObject: { kind: 'Ingress', name: 'main', apiVersion: 'networking.k8s.io/v1' }, current: { value: '1500' }, metric: { name: 'requests' } } },
    { type: 'Object', object: { target: { kind: 'Ingress', name: 'main', apiVersion: 'networking.k8s.io/v1' }, metricName: 'requests', currentValue: '1500' } },
  ],
  ['External', { type: 'External', external: { metric: { name: 'queue' }, current: { value: '12', averageValue: '4' } } }, { type: 'External', external: { metricName: 'queue', currentValue: '12', currentAverageValue: '4' } }],
];

describe('autoscaling v2 ↔ v1 metric conversion', () => {
  it.each(SPECS)('spec: %s', (_what, v2Metric, v1Metric) => {
    expect(metricSpecToV1(v2Metric)).toEqual(v1Metric);
    expect(metricSpecFromV1(v1Metric)).toEqual(v2Metric);
  });

  it.each(STATUSES)('status: %s', (_what, v2Metric, v1Metric) => {
    expect(metricStatusToV1(v2Metric)).toEqual(v1Metric);
    expect(metricStatusFromV1(v1Metric)).toEqual(v2Metric);
  });

  it('fills what v1 cannot leave out with a zero quantity, as Go does', () => {
    expect(metricSpecToV1({ type: 'Object', object: { describedObject: { kind: 'Service', name: 's' }, target: { type: 'AverageValue', averageValue: '5' }, metric: { name: 'm' } } })).toEqual({
      type: 'Object',
      object: { target: { kind: 'Service', name: 's' }, metricName: 'm', targetValue: '0', averageValue: '5' },
    });
    expect(metricStatusToV1({ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 10 } } })).toEqual({ type: 'Resource', resource: { name: 'cpu', currentAverageUtilization: 10, currentAverageValue: '0' } });
  });
});

describe('autoscaling/v2 (stored) → autoscaling/v1', () => {
  it('maps the CPU utilization target and the current CPU utilization exactly', () => {
    const stored = v2({ metrics: [cpu(50)] }, { observedGeneration: 2, lastScaleTime: '2024-01-01T00:00:00Z', currentReplicas: 3, desiredReplicas: 4, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 73, averageValue: '80m' } } }] });
    const v1 = hpaV2ToV1(stored);
    expect(v1).toEqual({
      kind: 'HorizontalPodAutoscaler',
      apiVersion: 'autoscaling/v1',
      metadata: { ...meta, annotations: { [METRIC_STATUSES_ANNOTATION]: '[{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":73,"currentAverageValue":"80m"}}]' } },
      spec: { scaleTargetRef, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 50 },
      status: { observedGeneration: 2, lastScaleTime: '2024-01-01T00:00:00Z', currentReplicas: 3, desiredReplicas: 4, currentCPUUtilizationPercentage: 73 },
    });
  });

  it('puts every metric v1 cannot express, the conditions and the behavior in the annotations Kubernetes uses', () => {
    const memory = { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } };
    const conditions = [{ type: 'AbleToScale', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z', reason: 'SucceededGetScale', message: 'the HPA controller was able to get the target' }];
    const behavior = { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] } };
    const v1 = hpaV2ToV1(v2({ metrics: [memory, cpu(70)], behavior }, { currentReplicas: 1, desiredReplicas: 1, conditions }, { team: 'a' }));
    expect(v1.spec).toEqual({ scaleTargetRef, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 70 });
    expect(v1.metadata.annotations).toEqual({
      team: 'a',
      [METRIC_SPECS_ANNOTATION]: '[{"type":"Resource","resource":{"name":"memory","targetAverageValue":"100Mi"}}]',
      [CONDITIONS_ANNOTATION]: JSON.stringify(conditions),
      // Kubernetes marshals its internal type: Go's field names, nulls for unset pointers
      [BEHAVIOR_ANNOTATION]: '{"ScaleUp":null,"ScaleDown":{"StabilizationWindowSeconds":300,"SelectPolicy":null,"Policies":[{"Type":"Percent","Value":100,"PeriodSeconds":15}]}}',
    });
  });

  it('has no target when the first CPU metric is not a utilization (that metric rides in the annotation)', () => {
    const cpuValue = { type: 'Resource', resource: { name: 'cpu', target: { type: 'AverageValue', averageValue: '200m' } } };
    const v1 = hpaV2ToV1(v2({ metrics: [cpuValue, cpu(50)] }));
    expect(v1.spec).not.toHaveProperty('targetCPUUtilizationPercentage');
    expect(JSON.parse(v1.metadata.annotations![METRIC_SPECS_ANNOTATION]!)).toEqual([{ type: 'Resource', resource: { name: 'cpu', targetAverageValue: '200m' } }]);
  });

  it('replaces stale round-trip annotations with its own', () => {
    const v1 = hpaV2ToV1(v2({ metrics: [cpu(50)] }, undefined, { [METRIC_SPECS_ANNOTATION]: '[{"type":"Pods"}]', [CONDITIONS_ANNOTATION]: '[]' }));
    expect(v1.metadata).not.toHaveProperty('annotations');
  });
});

describe('autoscaling/v1 → autoscaling/v2 (stored)', () => {
  it('turns targetCPUUtilizationPercentage into a Resource cpu Utilization metric', () => {
    const v1: KubeObject = { kind: 'HorizontalPodAutoscaler', apiVersion: 'autoscaling/v1', metadata: meta, spec: { scaleTargetRef, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 50 }, status: { currentReplicas: 2, desiredReplicas: 3, currentCPUUtilizationPercentage: 41 } };
    expect(hpaV1ToV2(v1)).toEqual({
      kind: 'HorizontalPodAutoscaler',
      apiVersion: 'autoscaling/v2',
      metadata: meta,
      spec: { scaleTargetRef, minReplicas: 1, maxReplicas: 5, metrics: [cpu(50)] },
      status: { currentReplicas: 2, desiredReplicas: 3, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 41 } } }] },
    });
  });

  it('defaults to 80% CPU without a target or other metrics (autoscaling.DefaultCPUUtilization)', () => {
    const v2Object = hpaV1ToV2({ kind: 'HorizontalPodAutoscaler', apiVersion: 'autoscaling/v1', metadata: meta, spec: { scaleTargetRef, maxReplicas: 3 } });
    expect(v2Object.spec!.metrics).toEqual([cpu(80)]);
  });

  it('puts the annotated metrics first and the CPU target last, and moves conditions, statuses and behavior back into fields', () => {
    const annotations = {
      keep: 'me',
      [METRIC_SPECS_ANNOTATION]: '[{"type":"Pods","pods":{"metricName":"rps","targetAverageValue":"10"}}]',
      [METRIC_STATUSES_ANNOTATION]: '[{"type":"Pods","pods":{"metricName":"rps","currentAverageValue":"7"}}]',
      [CONDITIONS_ANNOTATION]: '[{"type":"ScalingActive","status":"True","reason":"ValidMetricFound"}]',
      [BEHAVIOR_ANNOTATION]: '{"ScaleUp":{"StabilizationWindowSeconds":0,"SelectPolicy":"Max","Policies":[{"Type":"Pods","Value":4,"PeriodSeconds":15}]},"ScaleDown":null}',
    };
    const v1: KubeObject = { kind: 'HorizontalPodAutoscaler', apiVersion: 'autoscaling/v1', metadata: { ...meta, annotations }, spec: { scaleTargetRef, maxReplicas: 5, targetCPUUtilizationPercentage: 60 }, status: { currentReplicas: 1, desiredReplicas: 1, currentCPUUtilizationPercentage: 99 } };
    expect(hpaV1ToV2(v1)).toEqual({
      kind: 'HorizontalPodAutoscaler',
      apiVersion: 'autoscaling/v2',
      metadata: { ...meta, annotations: { keep: 'me' } },
      spec: {
        scaleTargetRef,
        maxReplicas: 5,
        metrics: [{ type: 'Pods', pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '10' } } }, cpu(60)],
        behavior: { scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }] } },
      },
      // the current-metrics annotation knows more than currentCPUUtilizationPercentage: it wins
      status: { currentReplicas: 1, desiredReplicas: 1, currentMetrics: [{ type: 'Pods', pods: { metric: { name: 'rps' }, current: { averageValue: '7' } } }], conditions: [{ type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound' }] },
    });
  });

  it('ignores malformed or empty round-trip annotations (only well-formed data moves into fields)', () => {
    const annotations = { [METRIC_SPECS_ANNOTATION]: 'abc', [BEHAVIOR_ANNOTATION]: '{}', [CONDITIONS_ANNOTATION]: '' };
    const v2Object = hpaV1ToV2({ kind: 'HorizontalPodAutoscaler', apiVersion: 'autoscaling/v1', metadata: { ...meta, annotations }, spec: { scaleTargetRef, maxReplicas: 5, targetCPUUtilizationPercentage: 50 } });
    expect(v2Object.spec).toEqual({ scaleTargetRef, maxReplicas: 5, metrics: [cpu(50)] });
    expect(v2Object.metadata).toEqual(meta);
  });
});

describe('round trips through autoscaling/v1', () => {
  it.each([
    ['CPU utilization only', v2({ metrics: [cpu(50)] })],
    ['CPU last among others, with behavior and status', v2(
      {
        metrics: [{ type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '1Gi' } } }, { type: 'External', external: { metric: { name: 'q' }, target: { type: 'Value', value: '30' } } }, cpu(65)],
        behavior: { scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] }, scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } },
      },
      { currentReplicas: 2, desiredReplicas: 2, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageValue: '90m', averageUtilization: 45 } } }], conditions: [{ type: 'AbleToScale', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z', reason: 'ReadyForNewScale', message: 'recommended size matches current size' }] },
    )],
  ])('v2 → v1 → v2 keeps %s', (_what, stored) => {
    expect(hpaV1ToV2(hpaV2ToV1(stored))).toEqual(stored);
  });

  it('v1 → v2 → v1 keeps a v1 object', () => {
    const v1: KubeObject = { kind: 'HorizontalPodAutoscaler', apiVersion: 'autoscaling/v1', metadata: meta, spec: { scaleTargetRef, minReplicas: 2, maxReplicas: 9, targetCPUUtilizationPercentage: 50 }, status: { currentReplicas: 0, desiredReplicas: 0 } };
    expect(hpaV2ToV1(hpaV1ToV2(v1))).toEqual(v1);
  });
});

describe('autoscaling/v1 strategy', () => {
  it('resets status (and the status annotations) on create, and keeps the stored ones on update', () => {
    const created: KubeObject = { metadata: { name: 'x', annotations: { [METRIC_STATUSES_ANNOTATION]: '[]', keep: '1' } }, spec: { maxReplicas: 2 }, status: { currentReplicas: 5, desiredReplicas: 5 } };
    horizontalpodautoscalersV1.strategy.prepareForCreate!(created);
    expect(created).toEqual({ metadata: { name: 'x', annotations: { keep: '1' } }, spec: { maxReplicas: 2, minReplicas: 1 }, status: { currentReplicas: 0, desiredReplicas: 0 } });
    const old: KubeObject = { metadata: { name: 'x', annotations: { [CONDITIONS_ANNOTATION]: '[{"type":"AbleToScale"}]' } }, status: { currentReplicas: 3, desiredReplicas: 3 } };
    const next: KubeObject = { metadata: { name: 'x' }, spec: { maxReplicas: 4 }, status: { currentReplicas: 0, desiredReplicas: 0 } };
    horizontalpodautoscalersV1.strategy.prepareForUpdate!(next, old);
    // Defaulted as on create (Kubernetes defaults every object it decodes).
    expect(next).toEqual({ metadata: { name: 'x', annotations: { [CONDITIONS_ANNOTATION]: '[{"type":"AbleToScale"}]' } }, spec: { maxReplicas: 4, minReplicas: 1 }, status: { currentReplicas: 3, desiredReplicas: 3 } });
  });

  it('prints the same columns as autoscaling/v2', () => {
    const v1 = hpaV2ToV1(v2({ metrics: [cpu(50)] }, { currentReplicas: 2, desiredReplicas: 2, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 12 } } }] }));
    expect(horizontalpodautoscalersV1.printer.row(v1, new Date())).toEqual(['web', 'Deployment/web', 'cpu: 12%/50%', 1, 5, 2, '<unknown>']);
  });
});
