import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../types';
import { eventRow, events } from './events';
import { coreEventToEventsV1, eventsV1, eventsV1ToCoreEvent } from './events-v1';

const meta = { name: 'e1', namespace: 'default', uid: 'u-1', resourceVersion: '7' };
const ref = { kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'p-1', apiVersion: 'v1', resourceVersion: '3', fieldPath: 'spec.containers{web}' };
const related = { kind: 'Node', name: 'node-1', apiVersion: 'v1' };

/** Each core/v1 field, its events.k8s.io/v1 peer, and a value (Kubernetes' Convert_core_Event_To_v1_Event and back). */
const FIELD_MAPPING: Array<[core: string, events: string, value: unknown]> = [
  ['involvedObject', 'regarding', ref],
  ['related', 'related', related],
  ['message', 'note', 'Successfully assigned default/web-1 to node-1'],
  ['source', 'deprecatedSource', { component: 'kubelet', host: 'node-1' }],
  ['reportingComponent', 'reportingController', 'kubelab.dev/scheduler'],
  ['reportingInstance', 'reportingInstance', 'scheduler-7f9c'],
  ['firstTimestamp', 'deprecatedFirstTimestamp', '2024-01-02T03:04:05Z'],
  ['lastTimestamp', 'deprecatedLastTimestamp', '2024-01-02T03:09:05Z'],
  ['count', 'deprecatedCount', 4],
  ['series', 'series', { count: 3, lastObservedTime: '2024-01-02T03:09:05.123456Z' }],
  ['eventTime', 'eventTime', '2024-01-02T03:04:05.000500Z'],
  ['action', 'action', 'Binding'],
  ['reason', 'reason', 'Scheduled'],
  ['type', 'type', 'Normal'],
];

describe('core/v1 ↔ events.k8s.io/v1 Event conversion', () => {
  it.each(FIELD_MAPPING)('core %s ↔ events.k8s.io %s', (coreField, eventsField, value) => {
    const core: KubeObject = { apiVersion: 'v1', kind: 'Event', metadata: meta, [coreField]: value };
    const events: KubeObject = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: meta, [eventsField]: value };
    expect(coreEventToEventsV1(core)).toEqual(events);
    expect(eventsV1ToCoreEvent(events)).toEqual(core);
  });

  it('converts a whole event both ways, keeping every value as it is', () => {
    const core: KubeObject = { apiVersion: 'v1', kind: 'Event', metadata: meta, ...Object.fromEntries(FIELD_MAPPING.map(([c, , v]) => [c, v])) };
    const events: KubeObject = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: meta, ...Object.fromEntries(FIELD_MAPPING.map(([, e, v]) => [e, v])) };
    expect(coreEventToEventsV1(core)).toEqual(events);
    expect(eventsV1ToCoreEvent(events)).toEqual(core);
    expect(eventsV1ToCoreEvent(coreEventToEventsV1(core))).toEqual(core);
    expect(coreEventToEventsV1(eventsV1ToCoreEvent(events))).toEqual(events);
  });

  it('writes fields in the order of the target version (as a Go client would print them)', () => {
    const events = coreEventToEventsV1({ apiVersion: 'v1', kind: 'Event', metadata: meta, ...Object.fromEntries(FIELD_MAPPING.map(([c, , v]) => [c, v])) });
    expect(Object.keys(events)).toEqual(['kind', 'apiVersion', 'metadata', 'eventTime', 'series', 'reportingController', 'reportingInstance', 'action', 'reason', 'regarding', 'related', 'note', 'type', 'deprecatedSource', 'deprecatedFirstTimestamp', 'deprecatedLastTimestamp', 'deprecatedCount']);
    const core = eventsV1ToCoreEvent(events);
    expect(Object.keys(core)).toEqual(['kind', 'apiVersion', 'metadata', 'involvedObject', 'reason', 'message', 'source', 'firstTimestamp', 'lastTimestamp', 'count', 'type', 'eventTime', 'series', 'action', 'related', 'reportingComponent', 'reportingInstance']);
  });

  it('leaves absent fields absent and carries nulls (a protobuf client sends deprecatedFirstTimestamp: null)', () => {
    const events: KubeObject = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: meta, reason: 'Scheduled', deprecatedSource: {}, deprecatedFirstTimestamp: null };
    expect(eventsV1ToCoreEvent(events)).toEqual({ apiVersion: 'v1', kind: 'Event', metadata: meta, reason: 'Scheduled', source: {}, firstTimestamp: null });
  });

  it('drops fields neither version has', () => {
    expect(eventsV1ToCoreEvent({ apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: meta, message: 'core spelling', bogus: 1 })).toEqual({ apiVersion: 'v1', kind: 'Event', metadata: meta });
  });
});

describe('events.k8s.io/v1 strategy', () => {
  const valid: KubeObject = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: 'e1', namespace: 'default' },
    eventTime: '2024-01-02T03:04:05.000000Z',
    reportingController: 'kubelab.dev/scheduler',
    reportingInstance: 'scheduler-1',
    action: 'Binding',
    reason: 'Scheduled',
    regarding: { kind: 'Pod', name: 'web-1', namespace: 'default' },
    note: 'assigned',
    type: 'Normal',
  };
  const messages = (errors: Array<{ message: string }>) => errors.map((e) => e.message);
  const create = (e: KubeObject) => messages([...eventsV1.strategy.validate!(e), ...eventsV1.strategy.validateCreate!(e)]);

  it('accepts a well-formed new event', () => {
    expect(create(valid)).toEqual([]);
  });

  it.each([
    ['no eventTime', { eventTime: undefined }, 'eventTime: Required value'],
    ['an unknown type', { type: 'Fatal' }, 'type: Invalid value: "": has invalid value: Fatal'],
    ['a deprecated count', { deprecatedCount: 2 }, 'count: Invalid value: "": needs to be unset'],
    ['a deprecated first timestamp', { deprecatedFirstTimestamp: '2024-01-01T00:00:00Z' }, 'firstTimestamp: Invalid value: "": needs to be unset'],
    ['a deprecated source', { deprecatedSource: { component: 'kubelet' } }, 'source: Invalid value: "": needs to be unset'],
    ['a series of one', { series: { count: 1, lastObservedTime: '2024-01-02T03:04:05.000000Z' } }, 'series.count: Invalid value: "": should be at least 2'],
    ['no reporting controller', { reportingController: undefined }, 'reportingController: Required value'],
    ['no action', { action: undefined }, 'action: Required value'],
    ['a cluster-scoped object outside default and kube-system', { metadata: { name: 'e1', namespace: 'team-a' }, regarding: { kind: 'Node', name: 'n1' } }, 'involvedObject.namespace: Invalid value: "": does not match event.namespace'],
  ])('rejects %s as Kubernetes words it', (_what, change, message) => {
    expect(create({ ...valid, ...change })).toContain(message);
  });

  it('holds core/v1 events to the legacy rules only', () => {
    expect(messages(events.strategy.validate!({ metadata: { name: 'c', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'other' } }))).toEqual(['involvedObject.namespace: Invalid value: "other": does not match event.namespace']);
    expect(messages(events.strategy.validate!({ metadata: { name: 'c', namespace: 'default' }, involvedObject: { kind: 'Node', name: 'n' }, reason: 'X', count: 3 }))).toEqual([]);
    expect(messages(events.strategy.validate!({ metadata: { name: 'c', namespace: 'default' }, eventTime: '2024-01-01T00:00:00.000000Z', involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'X' }))).toEqual([
      'reportingController: Required value',
      'reportingController: Invalid value: "": name part must be non-empty',
      `reportingController: Invalid value: "": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
      'reportingInstance: Required value',
      'action: Required value',
    ]);
  });

  it('lets an event written through core/v1 be updated through events.k8s.io/v1 (strict rules are for creates)', () => {
    const fromCore = coreEventToEventsV1({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'e2', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default' }, reason: 'Started', message: 'started', source: { component: 'kubelet' }, firstTimestamp: '2024-01-01T00:00:00Z', count: 2, type: 'Normal' });
    const labelled = { ...fromCore, metadata: { ...fromCore.metadata, labels: { a: 'b' } } };
    expect(messages([...eventsV1.strategy.validate!(labelled), ...eventsV1.strategy.validateUpdate!(labelled, fromCore)])).toEqual([]);
    expect(messages(eventsV1.strategy.validateUpdate!({ ...labelled, note: 'changed' }, fromCore))).toEqual(['message: Invalid value: "changed": field is immutable']);
  });

  it('selects by the core field names and by events.k8s.io ones', () => {
    const fields = eventsV1.strategy.selectableFields!(valid);
    expect(fields).toMatchObject({ 'involvedObject.name': 'web-1', 'regarding.name': 'web-1', 'regarding.kind': 'Pod', reportingComponent: 'kubelab.dev/scheduler', reportingController: 'kubelab.dev/scheduler', source: 'kubelab.dev/scheduler', reason: 'Scheduled', type: 'Normal' });
  });

  it('prints the columns of kubectl get events (Kubernetes prints the internal Event for both APIs)', () => {
    const now = new Date('2024-01-02T03:09:05Z');
    expect(eventsV1.printer.columns.map((c) => c.name)).toEqual(['Last Seen', 'Type', 'Reason', 'Object', 'Subobject', 'Source', 'Message', 'First Seen', 'Count', 'Name']);
    expect(eventsV1.printer.row(valid, now)).toEqual(['5m', 'Normal', 'Scheduled', 'pod/web-1', '', 'kubelab.dev/scheduler, scheduler-1', 'assigned', '5m', 1, 'e1']);
    const series = { ...valid, series: { count: 4, lastObservedTime: '2024-01-02T03:08:05.000000Z' } };
    expect(eventsV1.printer.row(series, now)).toEqual(['60s', 'Normal', 'Scheduled', 'pod/web-1', '', 'kubelab.dev/scheduler, scheduler-1', 'assigned', '5m', 4, 'e1']);
  });

  it('prints a core event the way printEvent does: counts, sources, first/last seen fallbacks', () => {
    const now = new Date('2024-01-02T03:09:05Z');
    expect(eventRow({ metadata: { name: 'c' }, involvedObject: { kind: 'Node' }, type: 'Warning', reason: 'X', message: ' m ', source: { component: 'kubelet', host: 'n1' }, firstTimestamp: '2024-01-02T03:04:05Z', count: 3 }, now)).toEqual(['5m', 'Warning', 'X', 'node', '', 'kubelet, n1', 'm', '5m', 3, 'c']);
    expect(eventRow({ metadata: { name: 'c' } }, now)).toEqual(['<unknown>', '', '', '', '', '', '', '<unknown>', 1, 'c']);
  });
});
