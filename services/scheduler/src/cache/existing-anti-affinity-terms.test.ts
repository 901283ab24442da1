import { describe, expect, it } from 'vitest';
import { NodeInfo } from '../framework/node-info';
import { node, pod, type PodAffinityTerm, type PodBuilder } from '../testing/fixtures';
import { ExistingAntiAffinityTerms } from './existing-anti-affinity-terms';

const HOST = 'kubernetes.io/hostname';
const ZONE = 'topology.kubernetes.io/zone';

const away = (app: string, topologyKey = HOST): PodAffinityTerm => ({ labelSelector: { matchLabels: { app } }, topologyKey });
const guard = (name: string, ...terms: PodAffinityTerm[]) => terms.reduce((p, t) => p.podAffinityTerm('podAntiAffinity', t), pod(name));

/** A node in `zone` (none: no zone label) with the pods on it. */
const nodeInfo = (name: string, zone: string | undefined, ...pods: PodBuilder[]) =>
  new NodeInfo(node(name).labels(zone ? { [ZONE]: zone } : {}).obj(), pods.map((p) => p.nodeName(name).obj()));

/** Each entry as topology key, selector and counts per domain; sorted, so that the order of the map does not matter. */
const entries = (terms: ExistingAntiAffinityTerms) =>
  [...terms.terms()].map((t) => `${t.term.topologyKey} ${[...t.term.namespaces].join(',')} ${JSON.stringify(Object.fromEntries(t.counts))}`).sort();

describe('ExistingAntiAffinityTerms', () => {
  it.each([
    {
      name: 'replicas with the same term are one entry, counted per domain',
      nodes: [nodeInfo('n1', 'a', guard('web-0', away('web')), guard('web-1', away('web'))), nodeInfo('n2', 'a', guard('web-2', away('web')))],
      want: [`${HOST} default {"n1":2,"n2":1}`],
    },
    {
      name: 'another selector, topology key or namespace is another entry',
      nodes: [
        nodeInfo('n1', 'a', guard('web', away('web')), guard('web-zone', away('web', ZONE)), guard('db', away('db'))),
        nodeInfo('n2', 'b', guard('web-other', away('web')).namespace('other')),
      ],
      want: [`${HOST} default {"n1":1}`, `${HOST} default {"n1":1}`, `${HOST} other {"n2":1}`, `${ZONE} default {"a":1}`],
    },
    {
      name: 'a node without the topology key holds the term in no domain',
      nodes: [nodeInfo('n1', undefined, guard('web', away('web', ZONE)))],
      want: [`${ZONE} default {}`],
    },
    {
      name: 'a pod with the same term twice counts twice, as each term counts',
      nodes: [nodeInfo('n1', 'a', guard('web', away('web'), away('web')))],
      want: [`${HOST} default {"n1":2}`],
    },
    {
      name: 'preferred anti-affinity and affinity are not counted',
      nodes: [nodeInfo('n1', 'a', pod('soft').preferredPodAffinityTerm('podAntiAffinity', 5, away('web')), pod('near').podAffinityTerm('podAffinity', away('db')))],
      want: [],
    },
  ])('$name', ({ nodes, want }) => {
    const terms = new ExistingAntiAffinityTerms();
    for (const n of nodes) terms.addNode(n);
    expect(entries(terms)).toEqual(want);
  });

  it('follows nodes as their copies are replaced, and drops a term no pod holds', () => {
    const terms = new ExistingAntiAffinityTerms();
    const n1 = nodeInfo('n1', 'a', guard('web-0', away('web', ZONE)));
    const n2 = nodeInfo('n2', 'a', guard('web-1', away('web', ZONE)));
    terms.addNode(n1);
    terms.addNode(n2);
    expect(entries(terms)).toEqual([`${ZONE} default {"a":2}`]);

    // n1 relabelled into zone b: its old copy goes, the new one comes.
    terms.removeNode(n1);
    terms.addNode(nodeInfo('n1', 'b', guard('web-0', away('web', ZONE))));
    expect(entries(terms)).toEqual([`${ZONE} default {"a":1,"b":1}`]);

    // The pod that brought the entry leaves; the other still holds the term.
    terms.removeNode(nodeInfo('n1', 'b', guard('web-0', away('web', ZONE))));
    expect(entries(terms)).toEqual([`${ZONE} default {"a":1}`]);
    terms.removeNode(n2);
    expect({ entries: entries(terms), size: terms.size }).toEqual({ entries: [], size: 0 });
  });
});
