import { describe, expect, it } from 'vitest';
import { labelSelectorAsSelector } from '@kubelab/apimachinery';
import { silentLogger, type KubeObject } from '@kubelab/client';
import { hasScoringAffinityTerms } from '../framework/pod-info';
import { node, pod, type PodAffinityTerm } from '../testing/fixtures';
import { SchedulerCache } from './cache';
import { ExistingAntiAffinityTerms } from './existing-anti-affinity-terms';
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

  it("a node's new allocatable replaces the old one; its pods stay counted", () => {
    const { cache, refresh } = setup();
    cache.addNode(node('a').allocatable({ cpu: '4', memory: '8Gi', pods: '110', 'example.com/gpu': '2' }).obj());
    cache.addPod(pod('web').req({ cpu: '1' }).nodeName('a').obj());
    cache.updateNode(node('a').obj(), node('a').allocatable({ cpu: '8', memory: '16Gi', pods: '50' }).obj());
    const a = refresh().get('a')!;
    expect({ cpu: a.allocatable.milliCPU, pods: a.allocatable.allowedPodNumber, gpu: a.allocatable.scalar.get('example.com/gpu'), requested: a.requested.milliCPU, on: podsOn(refresh(), 'a') }).toEqual({
      cpu: 8000,
      pods: 50,
      gpu: undefined,
      requested: 1000,
      on: ['web'],
    });
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
      anti: [...snapshot.existingAntiAffinityTerms()].map((t) => Object.fromEntries(t.counts)),
      labels: snapshot.namespaceLabels('team'),
      unknown: snapshot.namespaceLabels('other'),
    }).toEqual({ affinity: ['b'], anti: [{ b: 1 }], labels: { tier: 'front' }, unknown: {} });
    cache.removePod(anti);
    expect({ affinity: refresh().havePodsWithAffinity(), anti: [...refresh().existingAntiAffinityTerms()] }).toEqual({ affinity: [], anti: [] });
  });

  it('keeps its indexes as they would be rebuilt from scratch, through pods and nodes coming, moving and going', () => {
    const nodeNames = ['a', 'b', 'c', 'd'];
    const { cache, refresh } = setup(...nodeNames);
    const apps = ['web', 'db', 'cache'];
    const terms: PodAffinityTerm[] = [
      { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' },
      { labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'zone' },
    ];
    // A fixed pseudo-random walk, so that a failure is the same on every run.
    let seed = 11;
    const next = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
    const placed = new Map<string, KubeObject>();
    const selectors = [...apps.map((app) => labelSelectorAsSelector({ matchLabels: { app } })), labelSelectorAsSelector({ matchExpressions: [{ key: 'app', operator: 'Exists' }] })];
    for (let step = 0; step < 400; step++) {
      const name = `p${next(30)}`;
      const current = placed.get(name);
      const op = next(10);
      if (op < 2 && current) {
        cache.removePod(current);
        placed.delete(name);
      } else if (op < 3) {
        const n = nodeNames[next(nodeNames.length)]!;
        cache.updateNode(node(n).obj(), node(n).labels({ zone: `z${next(2)}` }).obj());
      } else {
        let p = pod(name).labels({ app: apps[next(apps.length)]! }).nodeName(nodeNames[next(nodeNames.length)]!);
        if (next(2)) p = p.podAffinityTerm('podAntiAffinity', terms[next(terms.length)]!);
        if (!next(4)) p = p.preferredPodAffinityTerm('podAffinity', 1, terms[0]!);
        const updated = { ...p.obj(), metadata: { ...p.obj().metadata, uid: `uid-${name}` } };
        if (current) cache.updatePod(current, updated);
        else cache.addPod(updated);
        placed.set(name, updated);
      }
      if (next(3)) continue;
      const snapshot = refresh();
      const nodeInfos = snapshot.nodeInfos();
      const rebuilt = new ExistingAntiAffinityTerms();
      for (const n of nodeInfos) rebuilt.addNode(n);
      const counted = (all: Iterable<{ term: { key: string }; counts: ReadonlyMap<string, number> }>) => [...all].map((t) => `${t.term.key} ${JSON.stringify([...t.counts].sort())}`).sort();
      const candidates = (i: number) => {
        const seen: string[] = [];
        snapshot.forEachCandidatePod(selectors[i]!, (p, n) => {
          if (selectors[i]!.matches(p.pod.metadata.labels ?? {})) seen.push(`${p.pod.metadata.name}@${n.name}`);
        });
        return seen.sort();
      };
      const scanned = (i: number) => nodeInfos.flatMap((n) => n.pods.filter((p) => selectors[i]!.matches(p.pod.metadata.labels ?? {})).map((p) => `${p.pod.metadata.name}@${n.name}`)).sort();
      expect({
        terms: counted(snapshot.existingAntiAffinityTerms()),
        candidates: selectors.map((_, i) => candidates(i)),
        scoring: snapshot.numPodsWithScoringAffinity(),
        withAffinity: snapshot.havePodsWithAffinity(),
      }).toEqual({
        terms: counted(rebuilt.terms()),
        candidates: selectors.map((_, i) => scanned(i)),
        scoring: nodeInfos.flatMap((n) => n.pods).filter(hasScoringAffinityTerms).length,
        withAffinity: nodeInfos.filter((n) => n.podsWithAffinity.length > 0),
      });
    }
  });
});
