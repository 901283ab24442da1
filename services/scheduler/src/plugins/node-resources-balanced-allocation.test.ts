import { describe, expect, it } from 'vitest';
import { CycleState } from '../framework/cycle-state';
import { NodeInfo } from '../framework/node-info';
import { node, pod } from '../testing/fixtures';
import { NodeResourcesBalancedAllocation } from './node-resources-balanced-allocation';

const plugin = new NodeResourcesBalancedAllocation();

describe('NodeResourcesBalancedAllocation', () => {
  it.each([
    // cpu 1/4 = .25, memory 2/8 = .25: perfectly balanced.
    { name: 'same fraction of cpu and memory', pod: pod('p').req({ cpu: '1', memory: '2Gi' }), existing: [], score: 100 },
    // cpu .25, memory .125: std = .0625 → 93.75 → 93.
    { name: 'more cpu than memory', pod: pod('p').req({ cpu: '1', memory: '1Gi' }), existing: [], score: 93 },
    // With the node's pods: cpu (2+1)/4 = .75, memory (1+1)/8 = .25: std .25 → 75.
    { name: 'counts what the node already runs', pod: pod('p').req({ cpu: '1', memory: '1Gi' }), existing: [pod('a').req({ cpu: '2', memory: '1Gi' })], score: 75 },
    // Fractions are capped at 1: cpu 8/4 → 1, memory 0 → std .5 → 50.
    { name: 'over capacity counts as full', pod: pod('p').req({ cpu: '8' }), existing: [], score: 50 },
    { name: 'a pod without requests on an empty node', pod: pod('p'), existing: [], score: 100 },
  ])('$name', ({ pod: incoming, existing, score }) => {
    const state = new CycleState();
    const p = incoming.obj();
    plugin.preScore(state, p);
    const nodeInfo = new NodeInfo(node('n1').obj(), existing.map((e) => e.nodeName('n1').obj()));
    expect(plugin.score(state, p, nodeInfo).score).toBe(score);
  });
});
