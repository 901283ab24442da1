import { FieldPath, forbidden, invalid, required } from '@kubelab/apimachinery';
import { age, ageColumn, column, nameColumn } from '../printing';
import type { FieldErrorList } from '../../errors';
import type { KubeObject, ResourceType } from '../types';

/**
 * apps/v1 ControllerRevision: an immutable snapshot of a DaemonSet's or StatefulSet's template,
 * what their rollout history and `kubectl rollout undo` read.
 */
export const controllerrevisions: ResourceType = {
  group: 'apps',
  version: 'v1',
  kind: 'ControllerRevision',
  resource: 'controllerrevisions',
  singular: 'controllerrevision',
  namespaced: true,
  strategy: {
    validate: (cr) => {
      const errors: FieldErrorList = [];
      if (cr.revision === undefined || cr.revision === null) errors.push(required(FieldPath.of('revision'), ''));
      else if (typeof cr.revision !== 'number' || !Number.isInteger(cr.revision) || cr.revision < 0) errors.push(invalid(FieldPath.of('revision'), cr.revision as never, 'must be greater than or equal to 0'));
      return errors;
    },
    validateUpdate: (cr, old) => (JSON.stringify(cr.data ?? null) === JSON.stringify(old.data ?? null) ? [] : [forbidden(FieldPath.of('data'), 'field is immutable')]),
  },
  printer: {
    columns: [nameColumn, column('Controller', 'string', 'The controller that owns this revision.'), column('Revision', 'integer', 'Revision indicates the revision of the state represented by Data.'), ageColumn],
    row: (cr, now) => [cr.metadata.name, controllerOf(cr), cr.revision ?? 0, age(cr.metadata.creationTimestamp, now)],
  },
};

/** "daemonset.apps/fluentd", as kubectl prints the owner of a revision. */
function controllerOf(cr: KubeObject): string {
  const ref = (cr.metadata.ownerReferences ?? []).find((r) => r.controller);
  if (!ref) return '<none>';
  const group = String(ref.apiVersion ?? '').split('/');
  return `${String(ref.kind).toLowerCase()}${group.length === 2 ? `.${group[0]}` : ''}/${ref.name}`;
}
