import { FieldError, FieldPath, forbidden, invalid, notSupported, OMIT_VALUE, required } from '@kubelab/apimachinery';
import { defaultPodSpec } from './pod-spec';
import { validatePodSpec } from './pod-validation';
import type { FieldErrorList } from '../../errors';
import { bumpGeneration, semanticallyEqual, startGeneration } from '../object-meta';
import type { KubeObject } from '../types';

/** The largest value of an int32 field (Go's math.MaxInt32). */
export const MAX_INT32 = 2147483647;

/** What every workload with a pod template shares: defaults, the status split, validation. */
export function defaultPodTemplate(object: KubeObject): void {
  const spec = (object.spec?.template as { spec?: Record<string, unknown> } | undefined)?.spec;
  if (spec) defaultPodSpec(spec);
}

function defaultedEmptySpec(): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  defaultPodSpec(spec);
  return spec;
}

/** `controller` names the workload in Kubernetes' messages (a Deployment's template is validated as its ReplicaSet's). */
export function validateWorkload(object: KubeObject, controller: 'ReplicaSet' | 'DaemonSet' | 'StatefulSet'): FieldErrorList {
  const errors: FieldErrorList = [];
  const spec = object.spec as { replicas?: unknown; selector?: { matchLabels?: Record<string, string> }; template?: { metadata?: { labels?: Record<string, string> }; spec?: Record<string, unknown> } } | undefined;
  const path = FieldPath.of('spec');
  const replicas = spec?.replicas;
  if (replicas !== undefined && (!Number.isInteger(replicas) || (replicas as number) < 0)) {
    errors.push(invalid(path.child('replicas'), replicas, 'must be greater than or equal to 0'));
  } else if (typeof replicas === 'number' && replicas > MAX_INT32) {
    // An HTTP body is refused while it is decoded (field-validation.ts); this is for what reaches
    // the registry otherwise: a patched object, a scale.
    errors.push(invalid(path.child('replicas'), replicas, `must be between 0 and ${MAX_INT32}, inclusive`));
  }
  const selector = spec?.selector;
  if (!selector) errors.push(required(path.child('selector')));
  const labels = spec?.template?.metadata?.labels ?? {};
  if (selector?.matchLabels && !Object.entries(selector.matchLabels).every(([k, v]) => labels[k] === v)) {
    // Kubernetes prints this map Go-style, so the value goes in the detail.
    errors.push(new FieldError('FieldValueInvalid', 'spec.template.metadata.labels', OMIT_VALUE, `${goMap(labels)}: \`selector\` does not match template \`labels\``));
  }
  // A template without a spec still has Go's zero PodSpec, which defaults as any other.
  const podSpec = (spec?.template?.spec ?? defaultedEmptySpec()) as Record<string, unknown>;
  const templateSpec = path.child('template', 'spec');
  errors.push(...validatePodSpec(podSpec, templateSpec, { resourceIsPod: false }));
  // A controller's pods run for good: they restart, and have no deadline.
  if (podSpec.restartPolicy !== 'Always') errors.push(notSupported(templateSpec.child('restartPolicy'), podSpec.restartPolicy, ['Always']));
  if (podSpec.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) errors.push(forbidden(templateSpec.child('activeDeadlineSeconds'), `activeDeadlineSeconds in ${controller} is not Supported`));
  return errors;
}

/** On create: the kind's defaults, the controller's empty status, and generation 1. */
export function createWorkload(object: KubeObject, defaults: (object: KubeObject) => void, status: Record<string, unknown>): void {
  defaults(object);
  object.status = status;
  startGeneration(object);
}

/**
 * On update: the same defaults as on create (Kubernetes defaults every object it decodes, so a
 * manifest without `replicas` gets 1 again); the status belongs to the controller, so a
 * main-resource update keeps the old one; and a change of the spec, after defaults and as Go
 * compares it, is a new generation (`alsoCounts`: what else the kind counts).
 */
export function updateWorkload(object: KubeObject, old: KubeObject, defaults: (object: KubeObject) => void, alsoCounts?: (object: KubeObject, old: KubeObject) => boolean): void {
  defaults(object);
  object.status = old.status;
  bumpGeneration(object, old, !semanticallyEqual(object.spec, old.spec) || Boolean(alsoCounts?.(object, old)));
}

/** A label map as Go's %#v prints it, which is how Kubernetes quotes it in this message. */
function goMap(labels: Record<string, string>): string {
  const entries = Object.keys(labels)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(labels[k])}`);
  return `map[string]string{${entries.join(', ')}}`;
}
