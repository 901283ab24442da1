import type { KubeObject, ResourceType } from '../types';
import { horizontalpodautoscalers } from './horizontalpodautoscalers';

/**
 * autoscaling/v1 HorizontalPodAutoscalers: a view of the stored autoscaling/v2 objects, as
 * Kubernetes' pkg/apis/autoscaling/v1/conversion.go converts them. v1 only has a CPU
 * utilization target; every other metric, the current metrics, the conditions and the scaling
 * behavior ride along in annotations, so a v1 client's read-modify-write loses nothing.
 */
export const METRIC_SPECS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
export const METRIC_STATUSES_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics';
export const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';
export const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior';
const ROUND_TRIP = [METRIC_SPECS_ANNOTATION, METRIC_STATUSES_ANNOTATION, CONDITIONS_ANNOTATION, BEHAVIOR_ANNOTATION];
/** autoscaling.DefaultCPUUtilization: what a v1 HPA without a target scales on. */
const DEFAULT_CPU_UTILIZATION = 80;

/** Loosely typed JSON: the conversions walk optional nested fields of both versions. */
type Json = Record<string, any>;

/** Drops undefined fields, so absent stays absent (Go's omitempty on pointers). */
function compact<T extends Json>(object: T): T {
  for (const key of Object.keys(object)) if (object[key] === undefined) delete object[key];
  return object;
}

const isCpuUtilization = (m: Json) => m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource?.target?.averageUtilization !== undefined && m.resource?.target?.averageUtilization !== null;
const ref = (r: Json | undefined) => compact({ kind: r?.kind, name: r?.name, apiVersion: r?.apiVersion });

// ---- metric specs and statuses: v2 (MetricTarget / MetricValueStatus) ↔ v1 (the v2beta1 shape) ----

export function metricSpecToV1(m: Json): Json {
  const out: Json = { type: m.type };
  if (m.object) out.object = compact({ target: ref(m.object.describedObject), metricName: m.object.metric?.name, targetValue: m.object.target?.value ?? '0', selector: m.object.metric?.selector, averageValue: m.object.target?.averageValue });
  if (m.pods) out.pods = compact({ metricName: m.pods.metric?.name, targetAverageValue: m.pods.target?.averageValue ?? '0', selector: m.pods.metric?.selector });
  if (m.resource) out.resource = compact({ name: m.resource.name, targetAverageUtilization: m.resource.target?.averageUtilization, targetAverageValue: m.resource.target?.averageValue });
  if (m.containerResource) out.containerResource = compact({ name: m.containerResource.name, targetAverageUtilization: m.containerResource.target?.averageUtilization, targetAverageValue: m.containerResource.target?.averageValue, container: m.containerResource.container });
  if (m.external) out.external = compact({ metricName: m.external.metric?.name, metricSelector: m.external.metric?.selector, targetValue: m.external.target?.value, targetAverageValue: m.external.target?.averageValue });
  return out;
}

export function metricSpecFromV1(m: Json): Json {
  const out: Json = { type: m.type };
  if (m.object) {
    const o = m.object;
    out.object = { describedObject: ref(o.target), target: compact({ type: o.averageValue === undefined ? 'Value' : 'AverageValue', value: o.targetValue ?? '0', averageValue: o.averageValue }), metric: compact({ name: o.metricName ?? '', selector: o.selector }) };
  }
  if (m.pods) out.pods = { metric: compact({ name: m.pods.metricName ?? '', selector: m.pods.selector }), target: { type: 'AverageValue', averageValue: m.pods.targetAverageValue ?? '0' } };
  if (m.resource) out.resource = { name: m.resource.name, target: resourceTarget(m.resource) };
  if (m.containerResource) out.containerResource = { name: m.containerResource.name, target: resourceTarget(m.containerResource), container: m.containerResource.container ?? '' };
  if (m.external) {
    const e = m.external;
    out.external = { metric: compact({ name: e.metricName ?? '', selector: e.metricSelector }), target: compact({ type: e.targetValue === undefined ? 'AverageValue' : 'Value', value: e.targetValue, averageValue: e.targetAverageValue }) };
  }
  return out;
}

function resourceTarget(r: Json): Json {
  const utilization = r.targetAverageUtilization;
  return compact({ type: utilization === undefined ? 'AverageValue' : 'Utilization', averageValue: r.targetAverageValue, averageUtilization: utilization });
}

export function metricStatusToV1(m: Json): Json {
  const out: Json = { type: m.type };
  if (m.object) out.object = compact({ target: ref(m.object.describedObject), metricName: m.object.metric?.name, currentValue: m.object.current?.value ?? '0', selector: m.object.metric?.selector, averageValue: m.object.current?.averageValue });
  if (m.pods) out.pods = compact({ metricName: m.pods.metric?.name, currentAverageValue: m.pods.current?.averageValue ?? '0', selector: m.pods.metric?.selector });
  if (m.resource) out.resource = compact({ name: m.resource.name, currentAverageUtilization: m.resource.current?.averageUtilization, currentAverageValue: m.resource.current?.averageValue ?? '0' });
  if (m.containerResource) out.containerResource = compact({ name: m.containerResource.name, currentAverageUtilization: m.containerResource.current?.averageUtilization, currentAverageValue: m.containerResource.current?.averageValue ?? '0', container: m.containerResource.container });
  if (m.external) out.external = compact({ metricName: m.external.metric?.name, metricSelector: m.external.metric?.selector, currentValue: m.external.current?.value ?? '0', currentAverageValue: m.external.current?.averageValue });
  return out;
}

export function metricStatusFromV1(m: Json): Json {
  const out: Json = { type: m.type };
  if (m.object) out.object = { describedObject: ref(m.object.target), current: compact({ value: m.object.currentValue ?? '0', averageValue: m.object.averageValue }), metric: compact({ name: m.object.metricName ?? '', selector: m.object.selector }) };
  if (m.pods) out.pods = { metric: compact({ name: m.pods.metricName ?? '', selector: m.pods.selector }), current: { averageValue: m.pods.currentAverageValue ?? '0' } };
  if (m.resource) out.resource = { name: m.resource.name, current: compact({ averageValue: m.resource.currentAverageValue ?? '0', averageUtilization: m.resource.currentAverageUtilization }) };
  if (m.containerResource) out.containerResource = { name: m.containerResource.name, current: compact({ averageValue: m.containerResource.currentAverageValue ?? '0', averageUtilization: m.containerResource.currentAverageUtilization }), container: m.containerResource.container ?? '' };
  if (m.external) out.external = { metric: compact({ name: m.external.metricName ?? '', selector: m.external.metricSelector }), current: compact({ value: m.external.currentValue ?? '0', averageValue: m.external.currentAverageValue }) };
  return out;
}

// ---- behavior: Kubernetes marshals its *internal* type here, so the keys are Go's field names ----

function goRules(r: Json | undefined): Json | null {
  if (!r) return null;
  return {
    StabilizationWindowSeconds: r.stabilizationWindowSeconds ?? null,
    SelectPolicy: r.selectPolicy ?? null,
    Policies: r.policies ? (r.policies as Json[]).map((p) => ({ Type: p.type, Value: p.value, PeriodSeconds: p.periodSeconds })) : null,
  };
}

/** A field of Go-marshalled JSON, matched case-insensitively as encoding/json does. */
function goField(object: Json | null | undefined, name: string): unknown {
  if (!object || typeof object !== 'object') return undefined;
  const key = Object.keys(object).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : object[key];
}

function rulesFromGo(r: unknown): Json | undefined {
  if (!r || typeof r !== 'object') return undefined;
  const policies = goField(r as Json, 'Policies');
  return compact({
    stabilizationWindowSeconds: (goField(r as Json, 'StabilizationWindowSeconds') ?? undefined) as number | undefined,
    selectPolicy: (goField(r as Json, 'SelectPolicy') ?? undefined) as string | undefined,
    policies: Array.isArray(policies) ? policies.map((p: Json) => ({ type: goField(p, 'Type'), value: goField(p, 'Value'), periodSeconds: goField(p, 'PeriodSeconds') })) : undefined,
  });
}

/** The behavior annotation as a v2 `behavior`, or undefined if it is malformed or empty (only well-formed data moves). */
function behaviorFromAnnotation(text: string): Json | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const behavior = compact({ scaleUp: rulesFromGo(goField(parsed as Json, 'ScaleUp')), scaleDown: rulesFromGo(goField(parsed as Json, 'ScaleDown')) });
  return Object.keys(behavior).length ? behavior : undefined;
}

function parseList(text: string | undefined): Json[] | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text);
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function withAnnotations(metadata: KubeObject['metadata'], annotations: Record<string, string>): KubeObject['metadata'] {
  const { annotations: _, ...rest } = metadata;
  return Object.keys(annotations).length ? { ...rest, annotations } : rest;
}

function withoutRoundTrip(annotations: Record<string, string> | undefined): Record<string, string> {
  const kept = { ...annotations };
  for (const key of ROUND_TRIP) delete kept[key];
  return kept;
}

// ---- the HPA ----

/** autoscaling/v2 (stored) → autoscaling/v1. */
export function hpaV2ToV1(hpa: KubeObject): KubeObject {
  const spec = (hpa.spec ?? {}) as Json;
  const status = (hpa.status ?? {}) as Json;
  const metrics = (spec.metrics ?? []) as Json[];
  const annotations = withoutRoundTrip(hpa.metadata.annotations);
  const other = metrics.filter((m) => !isCpuUtilization(m)).map(metricSpecToV1);
  if (other.length) annotations[METRIC_SPECS_ANNOTATION] = JSON.stringify(other);
  const currentMetrics = (status.currentMetrics ?? []) as Json[];
  if (currentMetrics.length) annotations[METRIC_STATUSES_ANNOTATION] = JSON.stringify(currentMetrics.map(metricStatusToV1));
  const conditions = (status.conditions ?? []) as Json[];
  if (conditions.length) annotations[CONDITIONS_ANNOTATION] = JSON.stringify(conditions);
  if (spec.behavior) annotations[BEHAVIOR_ANNOTATION] = JSON.stringify({ ScaleUp: goRules(spec.behavior.scaleUp), ScaleDown: goRules(spec.behavior.scaleDown) });

  // The first CPU metric sets the target, if it is a utilization.
  const cpu = metrics.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
  const v1Spec = compact({ scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas, targetCPUUtilizationPercentage: cpu?.resource?.target?.averageUtilization ?? undefined });
  // The last CPU status with a utilization sets the current one.
  let currentCPU: number | undefined;
  for (const m of currentMetrics) if (m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.current?.averageUtilization != null) currentCPU = m.resource.current.averageUtilization;
  const v1Status = compact({ observedGeneration: status.observedGeneration, lastScaleTime: status.lastScaleTime, currentReplicas: status.currentReplicas ?? 0, desiredReplicas: status.desiredReplicas ?? 0, currentCPUUtilizationPercentage: currentCPU });
  return { kind: 'HorizontalPodAutoscaler', apiVersion: 'autoscaling/v1', metadata: withAnnotations(hpa.metadata, annotations), spec: v1Spec, status: v1Status };
}

/** autoscaling/v1 → autoscaling/v2 (what is stored); the round-trip annotations turn back into fields. */
export function hpaV1ToV2(hpa: KubeObject): KubeObject {
  const spec = (hpa.spec ?? {}) as Json;
  const status = hpa.status as Json | undefined;
  const annotations = hpa.metadata.annotations ?? {};
  let metrics: Json[] = spec.targetCPUUtilizationPercentage != null ? [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } }] : [];
  const other = parseList(annotations[METRIC_SPECS_ANNOTATION]);
  if (other) metrics = [...other.map(metricSpecFromV1), ...metrics.slice(0, 1)];
  if (metrics.length === 0) metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } } }];
  const behavior = annotations[BEHAVIOR_ANNOTATION] !== undefined ? behaviorFromAnnotation(annotations[BEHAVIOR_ANNOTATION]) : undefined;
  const v2Spec = compact({ scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas, metrics, behavior });

  let currentMetrics: Json[] | undefined = status?.currentCPUUtilizationPercentage != null ? [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: status.currentCPUUtilizationPercentage } } }] : undefined;
  const statuses = parseList(annotations[METRIC_STATUSES_ANNOTATION]);
  if (statuses) currentMetrics = statuses.map(metricStatusFromV1); // the annotation knows more: it wins
  const conditions = parseList(annotations[CONDITIONS_ANNOTATION]);
  const v2Status = status || statuses || conditions ? compact({ observedGeneration: status?.observedGeneration, lastScaleTime: status?.lastScaleTime, currentReplicas: status?.currentReplicas, desiredReplicas: status?.desiredReplicas, currentMetrics, conditions }) : undefined;
  return compact({ kind: 'HorizontalPodAutoscaler', apiVersion: 'autoscaling/v2', metadata: withAnnotations(hpa.metadata, withoutRoundTrip(annotations)), spec: v2Spec, status: v2Status });
}

/** Status lives in annotations in v1: what the main resource may not change includes them. */
function carryStatusAnnotations(next: KubeObject, from: KubeObject | undefined): void {
  const annotations = { ...next.metadata.annotations };
  for (const key of [METRIC_STATUSES_ANNOTATION, CONDITIONS_ANNOTATION]) {
    const value = from?.metadata.annotations?.[key];
    if (value === undefined) delete annotations[key];
    else annotations[key] = value;
  }
  next.metadata = withAnnotations(next.metadata, annotations);
}

export const horizontalpodautoscalersV1: ResourceType = {
  ...horizontalpodautoscalers,
  version: 'v1',
  convert: { toStorage: hpaV1ToV2, fromStorage: hpaV2ToV1 },
  strategy: {
    prepareForCreate(hpa) {
      const spec = (hpa.spec ??= {}) as Json;
      spec.minReplicas ??= 1;
      hpa.status = { currentReplicas: 0, desiredReplicas: 0 };
      carryStatusAnnotations(hpa, undefined);
    },
    prepareForUpdate(hpa, old) {
      ((hpa.spec ??= {}) as Json).minReplicas ??= 1;
      hpa.status = old.status;
      carryStatusAnnotations(hpa, old);
    },
  },
  printer: {
    columns: horizontalpodautoscalers.printer.columns,
    row: (hpa, now) => horizontalpodautoscalers.printer.row(hpaV1ToV2(hpa), now),
  },
};
