import { age, column, humanDuration, nameColumn } from '../printing';
import type { KubeObject, ResourceType } from '../types';

interface CoreEvent {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
  series?: { count?: number; lastObservedTime?: string };
  involvedObject?: { kind?: string; name?: string; fieldPath?: string };
  source?: { component?: string; host?: string };
  reportingComponent?: string;
}

function lastSeen(event: CoreEvent, now: Date): string {
  const when = event.series?.lastObservedTime ?? event.lastTimestamp ?? event.eventTime;
  return when ? humanDuration(now.getTime() - Date.parse(when)) : '<unknown>';
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
    selectableFields: (object) => {
      const e = object as unknown as CoreEvent;
      return {
        'involvedObject.kind': e.involvedObject?.kind ?? '',
        'involvedObject.name': e.involvedObject?.name ?? '',
        'involvedObject.namespace': String((e.involvedObject as Record<string, unknown> | undefined)?.namespace ?? ''),
        'involvedObject.uid': String((e.involvedObject as Record<string, unknown> | undefined)?.uid ?? ''),
        'involvedObject.fieldPath': e.involvedObject?.fieldPath ?? '',
        reason: e.reason ?? '',
        type: e.type ?? '',
        source: e.source?.component ?? e.reportingComponent ?? '',
      };
    },
  },
  printer: {
    columns: [
      column('Last Seen', 'string', 'Time since the most recent occurrence of the event'),
      column('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
      column('Reason', 'string', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
      column('Object', 'string', 'The object that this event is about.'),
      column('Subobject', 'string', 'The subobject the event is about', 1),
      column('Source', 'string', 'The component reporting this event.', 1),
      column('Message', 'string', 'A human-readable description of the status of this operation.'),
      column('First Seen', 'string', 'Time since the first occurrence of the event', 1),
      column('Count', 'string', 'The number of times this event has occurred.', 1),
      { ...nameColumn, priority: 1 },
    ],
    row(object: KubeObject, now: Date) {
      const e = object as unknown as CoreEvent;
      const involved = e.involvedObject ?? {};
      const source = e.source?.component ? (e.source.host ? `${e.source.component}, ${e.source.host}` : e.source.component) : e.reportingComponent ?? '';
      const count = e.series?.count ?? e.count ?? 1;
      return [lastSeen(e, now), e.type ?? '', e.reason ?? '', `${(involved.kind ?? '').toLowerCase()}/${involved.name ?? ''}`, involved.fieldPath ?? '', source, (e.message ?? '').trim(), e.firstTimestamp ? age(e.firstTimestamp, now) : '<unknown>', count, object.metadata.name];
    },
  },
};
