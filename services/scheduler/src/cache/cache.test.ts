import { describe, expect, it } from 'vitest';
import { silentLogger } from '@kubelab/client';
import { node, pod } from '../testing/fixtures';
import { SchedulerCache } from './cache';
import { ClusterSnapshot } from './snapshot';

const podsOn = (snapshot: ClusterSnapshot, name: string) => snapshot.get(name)?.pods.map((p) => p.pod.metadata.name);

function setup(...nodeNames: string[]) {
  const cache = new SchedulerCache(silentLogger);
  const snapshot = new ClusterSnapshot();
  for (const name of nodeNames) cache.addNode(node(name).obj());
  return { cache, snapshot, refresh: () => (cache.updateSnapshot(snapshot), snapshot) };
}

describe('SchedulerCache', () => {
  it('an assumed pod counts on its node at once; a failed binding forgets it', () => {
    const { cache, refresh } = setup('a');
    const assumed = pod('web').req({ cpu: '1' }).nodeName('a').obj();
    cache.assumePod(assumed);
    expect({ pods: podsOn(refresh(), 'a'), cpu: refresh().get('a')!.requested.milliCPU, assumed: cache.isAssumedPod(assumed) }).toEqual({ pods: ['web'], cpu: 1000, assumed: true });
    cache.forgetPod(assumed);
    expect({ pods: podsOn(refresh(), 'a'), cpu: refresh().get('a')!.requested.milliCPU, assumed: cache.isAssumedPod(assumed) }).toEqual({ pods: [], cpu: 0, assumed: false });
  });

  it('the informer confirms an assumed pod: counted once, no longer assumed', () => {
    const { cache, refresh } = setup('a');
    const assumed = pod('web').nodeName('a').obj();
    cache.assumePod(assumed);
    cache.addPod({ ...assumed, metadata: { ...assumed.metadata, resourceVersion: '7' } });
    expect({ pods: podsOn(refresh(), 'a'), assumed: cache.isAssumedPod(assumed), count: cache.podCount() }).toEqual({ pods: ['web'], assumed: false, count: 1 });
    expect(() => cache.forgetPod(assumed)).toThrow(/wasn't assumed/);
  });

  it('a pod confirmed on another node than assumed moves there', () => {
    const { cache, refresh } = setup('a', 'b');
    const assumed = pod('web').nodeName('a').obj();
    cache.assumePod(assumed);
    cache.addPod({ ...assumed, spec: { ...assumed.spec, nodeName: 'b' } });
    const snapshot = refresh();
    expect({ a: podsOn(snapshot, 'a'), b: podsOn(snapshot, 'b') }).toEqual({ a: [], b: ['web'] });
  });

  it('a snapshot copies only the nodes that changed since the last one', () => {
    const { cache, refresh } = setup('a', 'b');
    const first = refresh();
    const [a, b] = [first.get('a'), first.get('b')];
    cache.addPod(pod('web').nodeName('a').obj());
    const second = refresh();
    expect({ aCopied: second.get('a') !== a, bCopied: second.get('b') !== b, list: second.nodeInfos().map((n) => n.name) }).toEqual({ aCopied: true, bCopied: false, list: ['a', 'b'] });
    // The old copy is untouched: a cycle that started before keeps a consistent view.
    expect(a!.pods).toEqual([]);
  });

  it('node updates, removals and pods bound to a node not yet seen', () => {
    const { cache, refresh } = setup('a');
    cache.addPod(pod('early').nodeName('later').obj());
    expect(refresh().nodeInfos().map((n) => n.name)).toEqual(['a']);
    cache.addNode(node('later').obj());
    expect(podsOn(refresh(), 'later')).toEqual(['early']);
    cache.updateNode(node('a').obj(), node('a').labels({ disktype: 'ssd' }).obj());
    expect(refresh().get('a')!.node.metadata.labels).toMatchObject({ disktype: 'ssd' });
    cache.removeNode(node('later').obj());
    expect(refresh().nodeInfos().map((n) => n.name)).toEqual(['a']);
    cache.removePod(pod('early').nodeName('later').obj());
    expect(cache.nodeCount()).toBe(1);
  });

  it('keeps the nodes with affinity pods listed, and the namespaces labelled', () => {
    const { cache, refresh } = setup('a', 'b');
    const anti = pod('anti').nodeName('b').obj();
    anti.spec!.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'web' } } }] } };
    cache.addPod(anti);
    cache.setNamespace({ metadata: { name: 'team', labels: { tier: 'front' } } });
    const snapshot = refresh();
    expect({
      affinity: snapshot.havePodsWithAffinity().map((n) => n.name),
      anti: snapshot.havePodsWithRequiredAntiAffinity().map((n) => n.name),
      labels: snapshot.namespaceLabels('team'),
      unknown: snapshot.namespaceLabels('other'),
    }).toEqual({ affinity: ['b'], anti: ['b'], labels: { tier: 'front' }, unknown: {} });
    cache.removePod(anti);
    expect(refresh().havePodsWithAffinity()).toEqual([]);
  });
});
