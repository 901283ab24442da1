import { LabelSelector, labelSelectorAsSelector, Requirement, type LabelSelectorObject } from '@kubelab/apimachinery';
import { describe, expect, it } from 'vitest';
import { NodeInfo } from '../framework/node-info';
import { node, pod } from '../testing/fixtures';
import { PodLabelIndex } from './pod-label-index';

/** n1: web (app=web, tier=front), db (app=db); n2: web2 (app=web, tier=back), bare (no labels). */
const NODES = [
  new NodeInfo(node('n1').obj(), [pod('web').labels({ app: 'web', tier: 'front' }).nodeName('n1').obj(), pod('db').labels({ app: 'db' }).nodeName('n1').obj()]),
  new NodeInfo(node('n2').obj(), [pod('web2').labels({ app: 'web', tier: 'back' }).nodeName('n2').obj(), pod('bare').nodeName('n2').obj()]),
];

function indexOf(nodeInfos: NodeInfo[]): PodLabelIndex {
  const index = new PodLabelIndex();
  for (const n of nodeInfos) index.addNode(n);
  return index;
}

/** What forEachCandidate visits, as pod@node, sorted. */
function visited(index: PodLabelIndex, selector: LabelSelector, nodeInfos = NODES): string[] {
  const seen: string[] = [];
  index.forEachCandidate(selector, nodeInfos, (podInfo, nodeInfo) => seen.push(`${podInfo.pod.metadata.name}@${nodeInfo.name}`));
  return seen.sort();
}

const sel = (o: LabelSelectorObject) => labelSelectorAsSelector(o);

describe('PodLabelIndex', () => {
  it.each([
    { name: 'app=web: the pods carrying it', selector: sel({ matchLabels: { app: 'web' } }), want: ['web2@n2', 'web@n1'] },
    { name: 'app in (web, db): the pods with either value', selector: sel({ matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'db'] }] }), want: ['db@n1', 'web2@n2', 'web@n1'] },
    { name: 'a value given twice does not visit its pods twice', selector: LabelSelector.of([new Requirement('app', 'in', ['web', 'web'])]), want: ['web2@n2', 'web@n1'] },
    { name: 'two requirements: the narrowest one is looked up', selector: sel({ matchLabels: { app: 'web', tier: 'front' } }), want: ['web@n1'] },
    { name: 'a value no pod carries: none', selector: sel({ matchLabels: { app: 'cache' } }), want: [] },
    { name: 'NotIn only: every pod may match', selector: sel({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }), want: ['bare@n2', 'db@n1', 'web2@n2', 'web@n1'] },
    { name: 'Exists only: every pod may match', selector: sel({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }), want: ['bare@n2', 'db@n1', 'web2@n2', 'web@n1'] },
    { name: 'the empty selector: every pod', selector: LabelSelector.everything(), want: ['bare@n2', 'db@n1', 'web2@n2', 'web@n1'] },
    { name: 'the selector that matches nothing: none', selector: LabelSelector.nothing(), want: [] },
  ])('$name', ({ selector, want }) => {
    expect(visited(indexOf(NODES), selector)).toEqual(want);
  });

  it('a removed node takes its pods out, and a replaced copy puts them back on the new copy', () => {
    const index = indexOf(NODES);
    index.removeNode(NODES[0]!);
    expect({ web: visited(index, sel({ matchLabels: { app: 'web' } })), db: visited(index, sel({ matchLabels: { app: 'db' } })) }).toEqual({ web: ['web2@n2'], db: [] });
    const n1 = new NodeInfo(node('n1-new').obj(), NODES[0]!.pods);
    index.addNode(n1);
    expect(visited(index, sel({ matchLabels: { app: 'web' } }))).toEqual(['web2@n2', 'web@n1-new']);
  });
});
