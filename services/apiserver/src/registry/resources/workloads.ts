import { FieldError, FieldPath, forbidden, invalid, notSupported, OMIT_VALUE, required } from '@kubelab/apimachinery';
import { defaultPodSpec } from './pod-spec';
import { validatePodSpec } from './pod-validation';
import type { FieldErrorList } from '../../errors';
import type { KubeObject } from '../types';

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
  if (spec?.replicas !== undefined && (!Number.isInteger(spec.replicas) || (spec.replicas as number) < 0)) {
    errors.push(invalid(path.child('replicas'), spec.replicas, 'must be greater than or equal to 0'));
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

/**
 * On update: the status belongs to the controller, so a main-resource update keeps the old one;
 * the template gets its defaults as on create (an edit may add a container).
 */
export function keepStatus(object: KubeObject, old: KubeObject): void {
  object.status = old.status;
  defaultPodTemplate(object);
}

/** A label map as Go's %#v prints it, which is how Kubernetes quotes it in this message. */
function goMap(labels: Record<string, string>): string {
  const entries = Object.keys(labels)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(labels[k])}`);
  return `map[string]string{${entries.join(', ')}}`;
}
