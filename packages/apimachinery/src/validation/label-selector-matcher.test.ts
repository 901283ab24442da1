import { describe, expect, it } from 'vitest';
import { LabelSelector, Requirement } from './label-selector';
import { compileLabelSelector } from './label-selector-matcher';
import { labelSelectorAsSelector } from './label-selector-object';
import { parseLabelSelector } from './label-selector-parser';

const LABEL_SETS: Array<Record<string, string>> = [
  {},
  { app: 'web' },
  { app: 'db' },
  { app: 'web', tier: 'front' },
  { app: 'web', tier: 'back', n: '5' },
  { tier: 'front' },
  { n: '12' },
  // Keys that name properties every object inherits: absent unless set.
  { constructor: 'x' },
  JSON.parse('{"__proto__": "web", "app": "web"}') as Record<string, string>,
];

describe('compileLabelSelector', () => {
  it.each<[string, LabelSelector]>([
    ['nothing (a nil LabelSelector)', LabelSelector.nothing()],
    ['everything (an empty LabelSelector)', LabelSelector.everything()],
    ['one matchLabels entry', labelSelectorAsSelector({ matchLabels: { app: 'web' } })],
    ['two matchLabels entries', labelSelectorAsSelector({ matchLabels: { app: 'web', tier: 'front' } })],
    ['In with one value', labelSelectorAsSelector({ matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] })],
    ['In with two values', labelSelectorAsSelector({ matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'db'] }] })],
    ['NotIn', labelSelectorAsSelector({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] })],
    ['Exists', labelSelectorAsSelector({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] })],
    ['DoesNotExist', labelSelectorAsSelector({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] })],
    ['matchLabels and expressions', labelSelectorAsSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['back'] }] })],
    ['an inherited key, exact', labelSelectorAsSelector({ matchLabels: { constructor: 'x' } })],
    ['an inherited key, DoesNotExist', labelSelectorAsSelector({ matchExpressions: [{ key: 'toString', operator: 'DoesNotExist' }] })],
    // Not a valid key, but a selector built without validation may hold it.
    ['__proto__ as a key', LabelSelector.of([new Requirement('__proto__', 'in', ['web'])])],
    ['__proto__ and another key', LabelSelector.of([new Requirement('__proto__', '=', ['web']), new Requirement('app', '=', ['web'])])],
    ['==, != and gt from a string', parseLabelSelector('app==web,tier!=back,n>4')],
  ])('%s answers as LabelSelector.matches', (_name, selector) => {
    const compiled = compileLabelSelector(selector);
    expect(LABEL_SETS.map((labels) => compiled(labels))).toEqual(LABEL_SETS.map((labels) => selector.matches(labels)));
  });

  it.each<[string, LabelSelector, boolean[]]>([
    ['nothing', LabelSelector.nothing(), [false, false, false]],
    ['everything', LabelSelector.everything(), [true, true, true]],
    ['app=web', labelSelectorAsSelector({ matchLabels: { app: 'web' } }), [false, true, true]],
    ['app=web, tier notin (front)', labelSelectorAsSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }), [false, true, false]],
  ])('%s over {}, {app: web}, {app: web, tier: front}', (_name, selector, want) => {
    const compiled = compileLabelSelector(selector);
    const labelSets: Array<Record<string, string>> = [{}, { app: 'web' }, { app: 'web', tier: 'front' }];
    expect(labelSets.map((labels) => compiled(labels))).toEqual(want);
  });
});
