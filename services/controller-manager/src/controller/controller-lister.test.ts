import { describe, expect, it } from 'vitest';
import { Indexer, type KubeObject } from '@kubelab/client';
import { ControllerLister } from './controller-lister';
import { podFixture } from './testing-objects';
import { replicaSetFixture } from './testing-workloads';

const web = replicaSetFixture('web', { labels: { app: 'web' } });
const api = replicaSetFixture('api', { labels: { app: 'api' } });
const all = { ...replicaSetFixture('all'), spec: { ...replicaSetFixture('all').spec, selector: {} } };
const invalid = { ...replicaSetFixture('invalid'), spec: { ...replicaSetFixture('invalid').spec, selector: { matchExpressions: [{ key: 'app', operator: 'Bogus' }] } } };
/** Selects what has no `app` label: it would match a pod without labels. */
const unlabelled = { ...replicaSetFixture('unlabelled'), spec: { ...replicaSetFixture('unlabelled').spec, selector: { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] } } };
const elsewhere = { ...replicaSetFixture('elsewhere'), metadata: { ...replicaSetFixture('elsewhere').metadata, namespace: 'other' } };

const indexer = new Indexer<KubeObject>();
indexer.replace([web, api, all, invalid, unlabelled, elsewhere]);
const lister = new ControllerLister(indexer, 'ReplicaSet');
const names = (controllers: KubeObject[]) => controllers.map((c) => c.metadata.name).sort();

/** A pod owned by `owner` (default none), labelled `app: <app>` (or nothing). */
const pod = (app: string | undefined, owner?: KubeObject) => podFixture('p', { labels: app ? { app } : {}, ...(owner ? { owner } : {}) });

describe('ControllerLister.controllerOf', () => {
  it.each<[string, KubeObject, string | undefined]>([
    ['its controller', pod('web', web), 'web'],
    ['an orphan', pod('web'), undefined],
    ['a controller of another kind', pod('web', { ...web, kind: 'StatefulSet' }), undefined],
    ['a controller recreated under the same name (another uid)', pod('web', { ...web, metadata: { ...web.metadata, uid: 'uid-old-web' } }), undefined],
    ['a controller the cache does not have', pod('web', replicaSetFixture('gone')), undefined],
  ])('%s', (_name, object, controller) => {
    expect(lister.controllerOf(object)?.metadata.name).toBe(controller);
  });
});

describe('ControllerLister.selecting', () => {
  it.each<[string, KubeObject, string[]]>([
    ['the controllers whose selector matches', pod('web'), ['web']],
    ['not an empty selector, an invalid one, or one of another namespace', pod('api'), ['api']],
    ['none for an object without labels', pod(undefined), []],
    ['a selector of expressions only', podFixture('p', { labels: { tier: 'front' } }), ['unlabelled']],
  ])('%s', (_name, object, selecting) => {
    expect(names(lister.selecting(object))).toEqual(selecting);
  });
});

describe('ControllerLister.toSyncOnAdd', () => {
  it.each<[string, KubeObject, string[]]>([
    ['its controller alone, whatever its labels', pod('api', web), ['web']],
    ['nobody when the cache does not have its controller', pod('web', replicaSetFixture('gone')), []],
    ['an orphan: whoever may adopt it', pod('api'), ['api']],
  ])('%s', (_name, object, toSync) => {
    expect(names(lister.toSyncOnAdd(object))).toEqual(toSync);
  });
});

describe('ControllerLister.toSyncOnUpdate', () => {
  it.each<[string, KubeObject, KubeObject, string[]]>([
    ['its controller', pod('web', web), { ...pod('web', web), status: { phase: 'Running' } }, ['web']],
    ['its controller alone, even when its labels change', pod('web', web), pod('api', web), ['web']],
    ['released: the old controller, then whoever may adopt it', pod('api', web), pod('api'), ['api', 'web']],
    ['adopted: the old controller and the new', pod('web', api), pod('web', web), ['api', 'web']],
    ['an orphan relabelled: whoever may adopt it now', pod('web'), pod('api'), ['api']],
    ['an orphan with the same labels: nobody', pod('web'), { ...pod('web'), status: { phase: 'Running' } }, []],
    ['a controller the cache does not have: nobody', pod('web', replicaSetFixture('gone')), { ...pod('web', replicaSetFixture('gone')), status: { phase: 'Running' } }, []],
  ])('%s', (_name, old, cur, toSync) => {
    expect(names(lister.toSyncOnUpdate(old, cur))).toEqual(toSync);
  });
});
