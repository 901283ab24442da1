import { duplicate, FieldPath, forbidden, invalidEach, isDNS1123Label, notFound, required } from '@kubelab/apimachinery';
import type { FieldErrorList } from '../../errors';
import type { KubeObject } from '../types';
import { semanticallyEqual } from '../object-meta';
import { defaultContainer } from './pod-spec';

type ContainerSpec = Record<string, unknown> & { name?: string };

/**
 * The fields of an ephemeral container that may not be set (the rest of Container's may):
 * ephemeral containers are not relied on for the pod's service, so no ports, probes, lifecycle
 * hooks or resources, and they are never restarted.
 */
const NOT_FOR_EPHEMERAL = ['ports', 'resources', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'resizePolicy', 'restartPolicy'];

/** The annotation of a mirror pod (a static pod's copy in the API). */
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

/**
 * A write to pods/ephemeralcontainers (what `kubectl debug` patches): the stored pod with the
 * proposed spec.ephemeralContainers, and nothing else of the proposal (as the
 * podEphemeralContainersStrategy keeps only them, and the resourceVersion that pins the write).
 * Ephemeral containers are defaulted as containers are; once added they may be neither changed
 * nor removed. Returns the pod to store, or the field errors of the update.
 */
export function withEphemeralContainers(proposed: KubeObject, current: KubeObject): { pod: KubeObject; errors: FieldErrorList } {
  const pod = structuredClone(current);
  pod.metadata.resourceVersion = proposed.metadata?.resourceVersion;
  const spec = pod.spec as Record<string, unknown>;
  const list = ((proposed.spec?.ephemeralContainers ?? []) as ContainerSpec[]).map((c) => structuredClone(c));
  for (const c of list) if (c && typeof c === 'object') defaultContainer(c);
  if (list.length > 0) spec.ephemeralContainers = list;
  else delete spec.ephemeralContainers;
  if (current.metadata.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return { pod, errors: [forbidden(FieldPath.of(''), 'static pods do not support ephemeral containers')] };
  return { pod, errors: [...validateEphemeralContainers(spec), ...validateUnchanged(list, (current.spec?.ephemeralContainers ?? []) as ContainerSpec[])] };
}

/** validateEphemeralContainers: names unique across every container of the pod, a target that exists, only the allowed fields. */
function validateEphemeralContainers(spec: Record<string, unknown>): FieldErrorList {
  const errors: FieldErrorList = [];
  const others = [...((spec.initContainers ?? []) as ContainerSpec[]), ...((spec.containers ?? []) as ContainerSpec[])].map((c) => c?.name);
  const names = new Set(others);
  const path = FieldPath.of('spec', 'ephemeralContainers');
  ((spec.ephemeralContainers ?? []) as ContainerSpec[]).forEach((c, i) => {
    const at = path.index(i);
    if (!c || typeof c !== 'object') return void errors.push(required(at));
    if (!c.name) errors.push(required(at.child('name')));
    else {
      errors.push(...invalidEach(at.child('name'), c.name, isDNS1123Label(c.name)));
      if (names.has(c.name)) errors.push(duplicate(at.child('name'), c.name));
      names.add(c.name);
    }
    if (!c.image) errors.push(required(at.child('image')));
    const target = c.targetContainerName as string | undefined;
    if (target && !others.includes(target)) errors.push(notFound(at.child('targetContainerName'), target));
    for (const field of NOT_FOR_EPHEMERAL) if (isSet(c[field])) errors.push(forbidden(at.child(field), 'cannot be set for an Ephemeral Container'));
    ((c.volumeMounts ?? []) as Array<Record<string, unknown>>).forEach((mount, j) => {
      for (const field of ['subPath', 'subPathExpr']) if (mount?.[field]) errors.push(forbidden(at.child('volumeMounts').index(j).child(field), 'cannot be set for an Ephemeral Container'));
    });
  });
  return errors;
}

/** Ephemeral containers already added may be neither removed nor changed (Semantic.DeepEqual; patches do not keep their order). */
function validateUnchanged(next: ContainerSpec[], old: ContainerSpec[]): FieldErrorList {
  const path = FieldPath.of('spec', 'ephemeralContainers');
  const byName = new Map(next.map((c) => [c?.name, c]));
  const errors: FieldErrorList = [];
  for (const before of old) {
    const after = byName.get(before.name);
    if (!after) errors.push(forbidden(path, `existing ephemeral containers ${JSON.stringify(before.name)} may not be removed\n`));
    else if (!semanticallyEqual(after, before)) errors.push(forbidden(path, `existing ephemeral containers ${JSON.stringify(before.name)} may not be changed\n`));
  }
  return errors;
}

/** Go's zero value is "not set": absent, empty, false, 0, or an object with nothing set in it. */
function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === '' || value === 0) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.values(value).some(isSet);
  return true;
}
