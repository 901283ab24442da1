import { describe, expect, it } from 'vitest';
import { pod, type PodAffinityTerm, type PodBuilder } from '../testing/fixtures';
import { hasScoringAffinityTerms, newPodInfo } from './pod-info';

const HOST = 'kubernetes.io/hostname';
const ZONE = 'topology.kubernetes.io/zone';
const web: PodAffinityTerm = { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: HOST };

/** The key of the pod's first required anti-affinity term. */
const keyOf = (p: PodBuilder) => newPodInfo(p.obj()).requiredAntiAffinityTerms[0]!.key;
const guard = (term: PodAffinityTerm, name = 'p') => pod(name).podAffinityTerm('podAntiAffinity', term);

describe('AffinityTerm.key', () => {
  it.each([
    { name: 'two replicas with one term', a: guard(web, 'web-0'), b: guard(web, 'web-1'), same: true },
    { name: 'matchLabels or In with the one value', a: guard(web), b: guard({ labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] }, topologyKey: HOST }), same: false },
    { name: 'namespaces in another order', a: guard({ ...web, namespaces: ['a', 'b'] }), b: guard({ ...web, namespaces: ['b', 'a'] }), same: true },
    { name: 'the same term in two namespaces (each looks in its own)', a: guard(web), b: guard(web).namespace('other'), same: false },
    { name: 'another topology key', a: guard(web), b: guard({ ...web, topologyKey: ZONE }), same: false },
    { name: 'no labelSelector (matches nothing) or an empty one (matches all)', a: guard({ labelSelector: null, topologyKey: HOST }), b: guard({ labelSelector: {}, topologyKey: HOST }), same: false },
    { name: 'an empty namespaceSelector (all namespaces) or none', a: guard({ ...web, namespaceSelector: {} }), b: guard(web), same: false },
    { name: 'matchLabelKeys takes each pod’s own value', a: guard({ ...web, matchLabelKeys: ['rev'] }).labels({ rev: '1' }), b: guard({ ...web, matchLabelKeys: ['rev'] }).labels({ rev: '2' }), same: false },
  ])('$name: same key $same', ({ a, b, same }) => {
    expect(keyOf(a) === keyOf(b)).toBe(same);
  });
});

describe('hasScoringAffinityTerms', () => {
  it.each([
    { name: 'no terms', pod: pod('p'), want: false },
    { name: 'required anti-affinity only filters', pod: guard(web), want: false },
    { name: 'required affinity scores at hardPodAffinityWeight', pod: pod('p').podAffinityTerm('podAffinity', web), want: true },
    { name: 'preferred affinity', pod: pod('p').preferredPodAffinityTerm('podAffinity', 1, web), want: true },
    { name: 'preferred anti-affinity', pod: pod('p').preferredPodAffinityTerm('podAntiAffinity', 1, web), want: true },
  ])('$name: $want', ({ pod: p, want }) => {
    expect(hasScoringAffinityTerms(newPodInfo(p.obj()))).toBe(want);
  });
});
