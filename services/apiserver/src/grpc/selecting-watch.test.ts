import { describe, expect, it } from 'vitest';
import { objectFilter } from '../endpoints/selectors';
import { eventsV1 } from '../registry/resources/events-v1';
import { pods } from '../registry/resources/pods';
import type { EtcdEvent, WatchMessage } from '../storage/etcd-client';
import type { ObjectStore } from '../storage/object-store';
import { watchSelected, type SelectedEvent } from './selecting-watch';

/** A store whose etcd watch we drive by hand. */
function fakeStore() {
  let deliver: (message: WatchMessage) => void = () => {};
  const watched: Array<{ prefix: string; from: number }> = [];
  const store = {
    key: (_type: unknown, namespace?: string) => `/registry/pods/${namespace ? `${namespace}/` : ''}`,
    etcd: {
      watch(prefix: string, from: number, on: (message: WatchMessage) => void) {
        watched.push({ prefix, from });
        deliver = on;
        return { cancel() {}, requestProgress() {} };
      },
    },
  } as unknown as ObjectStore;
  return { store, watched, send: (message: WatchMessage) => deliver(message) };
}

const kv = (labels: Record<string, string>, modRevision: number, version = 2) => ({
  key: Buffer.from('/registry/pods/default/web'),
  value: Buffer.from(JSON.stringify({ kind: 'Pod', metadata: { name: 'web', namespace: 'default', labels } })),
  create_revision: '1',
  mod_revision: String(modRevision),
  version: String(version),
});
const put = (labels: Record<string, string>, rev: number, prev?: Record<string, string>): EtcdEvent => ({ type: 'PUT', kv: kv(labels, rev, prev ? 2 : 1), prev_kv: prev ? kv(prev, rev - 1) : null });
const del = (prev: Record<string, string>, rev: number): EtcdEvent => ({ type: 'DELETE', kv: { ...kv({}, rev), value: Buffer.alloc(0) }, prev_kv: kv(prev, rev - 1) });

describe('watchSelected', () => {
  it('watches the prefix from the revision after the one asked for', () => {
    const { store, watched } = fakeStore();
    watchSelected(store, pods, 'default', 41, () => true, { event() {}, expired() {}, error() {} });
    expect(watched).toEqual([{ prefix: '/registry/pods/default/', from: 42 }]);
  });

  it('turns writes into ADDED/MODIFIED/DELETED as seen through the selector, with every revision reported', () => {
    const { store, send } = fakeStore();
    const seen: Array<[string, string | undefined, number]> = [];
    watchSelected(store, pods, 'default', 1, objectFilter(pods, 'app=web', null), {
      event: (selected: SelectedEvent | undefined, revision) => seen.push([selected?.type ?? 'hidden', selected?.object.metadata.resourceVersion, revision]),
      expired() {},
      error() {},
    });
    send({ revision: 10, events: [put({ app: 'db' }, 2)] }); // created outside the selection
    send({ revision: 10, events: [put({ app: 'web' }, 3, { app: 'db' })] }); // enters it
    send({ revision: 10, events: [put({ app: 'web', v: '2' }, 4, { app: 'web' })] }); // stays in it
    send({ revision: 10, events: [put({ app: 'db' }, 5, { app: 'web', v: '2' })] }); // leaves it
    send({ revision: 10, events: [del({ app: 'db' }, 6)] }); // deleted outside it
    send({ revision: 10, events: [put({ app: 'web' }, 7), del({ app: 'web' }, 8)] }); // created in it, deleted in it
    expect(seen).toEqual([
      ['hidden', undefined, 2],
      ['ADDED', '3', 3],
      ['MODIFIED', '4', 4],
      ['DELETED', '5', 5],
      ['hidden', undefined, 6],
      ['ADDED', '7', 7],
      ['DELETED', '8', 8],
    ]);
  });

  it('a DELETED that leaves the selection carries the object as it was, at the new resourceVersion', () => {
    const { store, send } = fakeStore();
    let deleted: SelectedEvent | undefined;
    watchSelected(store, pods, 'default', 1, objectFilter(pods, 'app=web', null), { event: (s) => (deleted = s), expired() {}, error() {} });
    send({ revision: 5, events: [put({ app: 'db' }, 5, { app: 'web' })] });
    expect(deleted?.type).toBe('DELETED');
    expect(deleted?.object.metadata.labels).toEqual({ app: 'web' });
    expect(deleted?.object.metadata.resourceVersion).toBe('5');
  });

  it('serves a version that is a view of the stored one (events.k8s.io/v1 of core/v1 Events) converted', () => {
    const { store, send } = fakeStore();
    let got: SelectedEvent | undefined;
    watchSelected(store, eventsV1, 'default', 1, objectFilter(eventsV1, null, 'regarding.name=web'), { event: (s) => (got = s), expired() {}, error() {} });
    const core = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'web' }, message: 'hello' };
    send({ revision: 3, events: [{ type: 'PUT', kv: { key: Buffer.from('/registry/events/default/e'), value: Buffer.from(JSON.stringify(core)), create_revision: '3', mod_revision: '3', version: '1' }, prev_kv: null }] });
    expect(got).toEqual({ type: 'ADDED', object: { kind: 'Event', apiVersion: 'events.k8s.io/v1', metadata: { name: 'e', namespace: 'default', resourceVersion: '3' }, regarding: { kind: 'Pod', name: 'web' }, note: 'hello' } });
  });

  it('passes progress, compaction and errors on', () => {
    const { store, send } = fakeStore();
    const got: string[] = [];
    watchSelected(store, pods, undefined, 1, () => true, { event() {}, progress: (r) => got.push(`progress ${r}`), expired: (c) => got.push(`expired ${c}`), error: (e) => got.push(e.message) });
    send({ progress: 7 });
    send({ compacted: 9 });
    send({ error: new Error('watch stream ended') });
    expect(got).toEqual(['progress 7', 'expired 9', 'watch stream ended']);
  });
});
