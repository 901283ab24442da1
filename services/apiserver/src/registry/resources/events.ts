import { FieldPath, invalid, isDNS1123Subdomain, isQualifiedName, required } from '@kubelab/apimachinery';
import type { FieldErrorList } from '../../errors';
import { column, humanDuration, nameColumn } from '../printing';
import type { KubeObject, ResourceType } from '../types';

/** A core/v1 Event: the form both event APIs are stored as. */
export interface CoreEvent {
  metadata?: KubeObject['metadata'];
  involvedObject?: { kind?: string; namespace?: string; name?: string; uid?: string; apiVersion?: string; resourceVersion?: string; fieldPath?: string };
  reason?: string;
  message?: string;
  source?: { component?: string; host?: string };
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  count?: number;
  type?: string;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string | null } | null;
  action?: string;
  related?: object | null;
  reportingComponent?: string;
  reportingInstance?: string;
}

/** "<unknown>" for a missing timestamp, else the time since it (translateTimestampSince). */
function since(when: string | null | undefined, now: Date): string {
  return when ? humanDuration(now.getTime() - Date.parse(when)) : '<unknown>';
}

/** The columns of `kubectl get events`, for both event APIs (Kubernetes prints the internal Event). */
export const eventColumns = [
  column('Last Seen', 'string', 'Time since the most recent occurrence of the event'),
  column('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
  column('Reason', 'string', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
  column('Object', 'string', 'The object that this event is about.'),
  column('Subobject', 'string', 'The subobject the event is about', 1),
  column('Source', 'string', 'The component reporting this event.', 1),
  column('Message', 'string', 'A human-readable description of the status of this operation.'),
  column('First Seen', 'string', 'Time since the first occurrence of the event', 1),
  column('Count', 'string', 'The number of times this event has occurred.', 1),
  { ...nameColumn, priority: 1 },
];

/** Kubernetes' printEvent (wide, as the server prints): the row of one event in its core form. */
export function eventRow(e: CoreEvent, now: Date): unknown[] {
  const first = e.firstTimestamp ? since(e.firstTimestamp, now) : since(e.eventTime, now);
  let last = e.lastTimestamp ? since(e.lastTimestamp, now) : first;
  let count = e.count ?? 0;
  if (e.series) {
    last = since(e.series.lastObservedTime, now);
    count = e.series.count ?? 0;
  } else if (count === 0) {
    count = 1; // singleton events don't have a count set in the new API
  }
  const involved = e.involvedObject ?? {};
  const target = involved.name ? `${(involved.kind ?? '').toLowerCase()}/${involved.name}` : (involved.kind ?? '').toLowerCase();
  const component = e.source?.component || e.reportingComponent || '';
  const instance = e.source?.host || e.reportingInstance || '';
  const source = instance ? `${component}, ${instance}` : component;
  return [last, e.type ?? '', e.reason ?? '', target, involved.fieldPath ?? '', source, (e.message ?? '').trim(), first, count, e.metadata?.name];
}

/** Kubernetes' event ToSelectableFields (besides metadata.name and metadata.namespace). */
export function eventSelectableFields(e: CoreEvent): Record<string, string> {
  const o = e.involvedObject ?? {};
  return {
    'involvedObject.kind': o.kind ?? '',
    'involvedObject.namespace': o.namespace ?? '',
    'involvedObject.name': o.name ?? '',
    'involvedObject.uid': o.uid ?? '',
    'involvedObject.apiVersion': o.apiVersion ?? '',
    'involvedObject.resourceVersion': o.resourceVersion ?? '',
    'involvedObject.fieldPath': o.fieldPath ?? '',
    reason: e.reason ?? '',
    reportingComponent: e.reportingComponent ?? '',
    source: e.source?.component || e.reportingComponent || '',
    type: e.type ?? '',
  };
}

/**
 * Kubernetes' legacyValidateEvent, which every event passes whichever API wrote it: the
 * namespaces of the event and of its object agree, and a "new" event (eventTime set) names
 * its reporter, action and reason. Field names are the internal (core) ones, as Kubernetes reports them.
 */
export function legacyValidateEvent(e: CoreEvent): FieldErrorList {
  const errors: FieldErrorList = [];
  const namespace = e.metadata?.namespace ?? '';
  const involvedNamespace = e.involvedObject?.namespace ?? '';
  const mismatch = () => errors.push(invalid(FieldPath.of('involvedObject', 'namespace'), involvedNamespace, 'does not match event.namespace'));
  if (!e.eventTime) {
    if (!involvedNamespace) {
      if (namespace !== '' && namespace !== 'default') mismatch();
    } else if (namespace !== involvedNamespace) {
      mismatch();
    }
  } else {
    if (!involvedNamespace && namespace !== 'default' && namespace !== 'kube-system') mismatch();
    const controller = e.reportingComponent ?? '';
    if (!controller) errors.push(required(FieldPath.of('reportingController'), ''));
    for (const msg of isQualifiedName(controller)) errors.push(invalid(FieldPath.of('reportingController'), controller, msg));
    const instance = e.reportingInstance ?? '';
    if (!instance) errors.push(required(FieldPath.of('reportingInstance'), ''));
    if (instance.length > 128) errors.push(invalid(FieldPath.of('reportingInstance'), '', 'can have at most 128 characters'));
    const action = e.action ?? '';
    if (!action) errors.push(required(FieldPath.of('action'), ''));
    if (action.length > 128) errors.push(invalid(FieldPath.of('action'), '', 'can have at most 128 characters'));
    const reason = e.reason ?? '';
    if (!reason) errors.push(required(FieldPath.of('reason'), ''));
    if (reason.length > 128) errors.push(invalid(FieldPath.of('reason'), '', 'can have at most 128 characters'));
    if ((e.message ?? '').length > 1024) errors.push(invalid(FieldPath.of('message'), '', 'can have at most 1024 characters'));
  }
  for (const msg of isDNS1123Subdomain(namespace)) errors.push(invalid(FieldPath.of('namespace'), namespace, msg));
  return errors;
}

export const events: ResourceType = {
  group: '',
  version: 'v1',
  kind: 'Event',
  resource: 'events',
  singular: 'event',
  shortNames: ['ev'],
  namespaced: true,
  strategy: {
    validate: (object) => legacyValidateEvent(object as CoreEvent),
    selectableFields: (object) => eventSelectableFields(object as CoreEvent),
  },
  printer: {
    columns: eventColumns,
    row: (object: KubeObject, now: Date) => eventRow(object as CoreEvent, now),
  },
};
