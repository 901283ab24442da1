import { FieldPath, invalid, required } from '@kubelab/apimachinery';
import type { FieldErrorList } from '../../errors';
import type { KubeObject, ResourceType } from '../types';
import { eventColumns, eventRow, eventSelectableFields, legacyValidateEvent, type CoreEvent } from './events';

/**
 * events.k8s.io/v1 Events: another view of the core/v1 Events (Kubernetes stores both under
 * /registry/events/). The field mapping is Kubernetes' Convert_core_Event_To_v1_Event and back
 * (pkg/apis/events/v1/conversion.go): each field present on one side is copied to its peer,
 * values unchanged; a field absent on one side stays absent on the other.
 */
const PEERS: ReadonlyArray<readonly [core: string, events: string]> = [
  // in the order of events.k8s.io/v1 Event's fields
  ['eventTime', 'eventTime'],
  ['series', 'series'],
  ['reportingComponent', 'reportingController'],
  ['reportingInstance', 'reportingInstance'],
  ['action', 'action'],
  ['reason', 'reason'],
  ['involvedObject', 'regarding'],
  ['related', 'related'],
  ['message', 'note'],
  ['type', 'type'],
  ['source', 'deprecatedSource'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'],
  ['lastTimestamp', 'deprecatedLastTimestamp'],
  ['count', 'deprecatedCount'],
];

/** core/v1 Event's fields in their own order, for a stored object that reads like one kubectl wrote. */
const CORE_ORDER = ['involvedObject', 'reason', 'message', 'source', 'firstTimestamp', 'lastTimestamp', 'count', 'type', 'eventTime', 'series', 'action', 'related', 'reportingComponent', 'reportingInstance'];

/** core/v1 → events.k8s.io/v1 (what a reader of events.k8s.io sees). */
export function coreEventToEventsV1(core: KubeObject): KubeObject {
  const out: KubeObject = { kind: 'Event', apiVersion: 'events.k8s.io/v1', metadata: core.metadata };
  for (const [from, to] of PEERS) if (core[from] !== undefined) out[to] = core[from];
  return out;
}

/** events.k8s.io/v1 → core/v1 (what is stored, and what a reader of core events sees). */
export function eventsV1ToCoreEvent(event: KubeObject): KubeObject {
  const byCore = new Map(PEERS.map(([core, events]) => [core, events]));
  const out: KubeObject = { kind: 'Event', apiVersion: 'v1', metadata: event.metadata };
  for (const field of CORE_ORDER) {
    const value = event[byCore.get(field)!];
    if (value !== undefined) out[field] = value;
  }
  return out;
}

/** Kubernetes' ValidateEventCreate beyond the legacy rules: what events.k8s.io/v1 demands of a new event. */
function validateStrictCreate(e: CoreEvent): FieldErrorList {
  const errors: FieldErrorList = [...validateSeries(e)];
  if (!e.eventTime) errors.push(required(FieldPath.of('eventTime'), ''));
  if (e.type !== 'Normal' && e.type !== 'Warning') errors.push(invalid(FieldPath.of('type'), '', `has invalid value: ${e.type ?? ''}`));
  if (e.firstTimestamp) errors.push(invalid(FieldPath.of('firstTimestamp'), '', 'needs to be unset'));
  if (e.lastTimestamp) errors.push(invalid(FieldPath.of('lastTimestamp'), '', 'needs to be unset'));
  if (e.count) errors.push(invalid(FieldPath.of('count'), '', 'needs to be unset'));
  if (e.source?.component || e.source?.host) errors.push(invalid(FieldPath.of('source'), '', 'needs to be unset'));
  return errors;
}

function validateSeries(e: CoreEvent): FieldErrorList {
  if (!e.series) return [];
  const errors: FieldErrorList = [];
  if ((e.series.count ?? 0) < 2) errors.push(invalid(FieldPath.of('series.count'), '', 'should be at least 2'));
  if (!e.series.lastObservedTime) errors.push(required(FieldPath.of('series.lastObservedTime'), ''));
  return errors;
}

/** Kubernetes' ValidateEventUpdate for events.k8s.io/v1: a changed series is checked again, the rest may not change. */
function validateStrictUpdate(next: CoreEvent, old: CoreEvent): FieldErrorList {
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  const errors: FieldErrorList = same(next.series, old.series) ? [] : validateSeries(next);
  const immutable: Array<keyof CoreEvent> = ['involvedObject', 'reason', 'message', 'source', 'firstTimestamp', 'lastTimestamp', 'count', 'type', 'eventTime', 'action', 'related', 'reportingComponent', 'reportingInstance'];
  for (const field of immutable) {
    if (!same(next[field], old[field])) errors.push(invalid(FieldPath.of(field === 'reportingComponent' ? 'reportingController' : field), next[field] ?? '', 'field is immutable'));
  }
  return errors;
}

const core = (object: KubeObject) => eventsV1ToCoreEvent(object) as unknown as CoreEvent;

export const eventsV1: ResourceType = {
  group: 'events.k8s.io',
  version: 'v1',
  kind: 'Event',
  resource: 'events',
  singular: 'event',
  shortNames: ['ev'],
  namespaced: true,
  storagePath: 'events',
  convert: { toStorage: eventsV1ToCoreEvent, fromStorage: coreEventToEventsV1 },
  strategy: {
    validate: (object) => legacyValidateEvent(core(object)),
    validateCreate: (object) => validateStrictCreate(core(object)),
    validateUpdate: (object, old) => validateStrictUpdate(core(object), core(old)),
    selectableFields(object) {
      const e = core(object);
      const fields = eventSelectableFields(e);
      // events.k8s.io's own names for the same fields, besides the core ones Kubernetes accepts
      for (const key of ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath']) fields[`regarding.${key}`] = fields[`involvedObject.${key}`]!;
      fields.reportingController = fields.reportingComponent!;
      return fields;
    },
  },
  printer: {
    columns: eventColumns,
    row: (object, now) => eventRow(core(object), now),
  },
};
