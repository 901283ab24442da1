import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, FakeObjectsServer, ObjectsClient, Resources, type KubeObject } from '@kubelab/client';
import { ClusterSnapshot } from '../cache/snapshot';
import { NodeResourcesFit } from '../plugins/node-resources-fit';
import { node, pod } from '../testing/fixtures';
import { CycleState } from './cycle-state';
import { Framework, type PluginEntry } from './framework';
import { NodeInfo } from './node-info';
import { newPodInfo } from './pod-info';
import { Status } from './status';
import type { NodeScore, Plugin, PodInfo } from './types';

/** A plugin made of the extension points a test gives it. */
const fake = (name: string, points: Record<string, unknown>, weight?: number): PluginEntry => ({ name, weight, factory: () => ({ name, ...points }) as Plugin });

function makeFramework(plugins: PluginEntry[], nominated = new Map<string, PodInfo[]>(), client?: ObjectsClient) {
  const events: string[] = [];
  const framework = new Framework({
    profileName: 'default-scheduler',
    plugins,
    snapshot: new ClusterSnapshot(),
    nominator: { nominatedPodsForNode: (n) => nominated.get(n) ?? [] },
    client: client as ObjectsClient,
    recorder: { event: (obj, type, reason, message) => void events.push(`${type} ${reason} ${(obj as KubeObject).metadata.name}: ${message}`) },
    clock: new FakeClock(Date.parse('2025-01-01T00:00:00Z')),
  });
  return { framework, events };
}

const p = pod('p').obj();
const n1 = new NodeInfo(node('n1').obj());

describe('Framework', () => {
  it.each([
    {
      name: 'node names from several plugins are intersected',
      plugins: [fake('A', { preFilter: () => ({ status: Status.success(), nodeNames: new Set(['x', 'y']) }) }), fake('B', { preFilter: () => ({ status: Status.success(), nodeNames: new Set(['y', 'z']) }) })],
      want: { code: 'Success', message: '', nodeNames: ['y'], pluginsWithNodes: ['A', 'B'] },
    },
    {
      name: 'an empty intersection of two plugins',
      plugins: [fake('B', { preFilter: () => ({ status: Status.success(), nodeNames: new Set(['x']) }) }), fake('A', { preFilter: () => ({ status: Status.success(), nodeNames: new Set(['z']) }) })],
      want: { code: 'UnschedulableAndUnresolvable', message: "node(s) didn't satisfy plugin(s) [A B] simultaneously", nodeNames: [], pluginsWithNodes: ['A', 'B'] },
    },
    {
      name: 'one plugin naming no node',
      plugins: [fake('A', { preFilter: () => ({ status: Status.success(), nodeNames: new Set() }) })],
      want: { code: 'UnschedulableAndUnresolvable', message: "node(s) didn't satisfy plugin A", nodeNames: [], pluginsWithNodes: ['A'] },
    },
    {
      name: 'Unschedulable lets the later plugins run and is returned at the end',
      plugins: [fake('A', { preFilter: () => ({ status: Status.unschedulable('a says no') }) }), fake('B', { preFilter: () => ({ status: Status.success(), nodeNames: new Set(['x']) }) })],
      want: { code: 'Unschedulable', message: 'a says no', nodeNames: ['x'], pluginsWithNodes: ['B'] },
    },
    {
      name: 'UnschedulableAndUnresolvable stops at once',
      plugins: [fake('A', { preFilter: () => ({ status: Status.unresolvable('never') }) }), fake('B', { preFilter: () => ({ status: Status.success(), nodeNames: new Set(['x']) }) })],
      want: { code: 'UnschedulableAndUnresolvable', message: 'never', nodeNames: undefined, pluginsWithNodes: [] },
    },
    {
      name: 'an error is wrapped with the plugin name',
      plugins: [fake('A', { preFilter: () => ({ status: Status.error('boom') }) })],
      want: { code: 'Error', message: 'running PreFilter plugin "A": boom', nodeNames: undefined, pluginsWithNodes: [] },
    },
  ])('PreFilter: $name', ({ plugins, want }) => {
    const result = makeFramework(plugins).framework.runPreFilterPlugins(new CycleState(), p);
    expect({
      code: result.status.code,
      message: result.status.message(),
      nodeNames: result.nodeNames ? [...result.nodeNames].sort() : undefined,
      pluginsWithNodes: [...result.pluginsWithNodes].sort(),
    }).toEqual(want);
  });

  it('Filter: a plugin that said Skip in PreFilter is not run; the first rejection wins and carries its plugin', () => {
    const ran: string[] = [];
    const filter = (name: string, status: Status) => () => (ran.push(name), status);
    const { framework } = makeFramework([
      fake('Skipped', { preFilter: () => ({ status: Status.skip() }), filter: filter('Skipped', Status.unresolvable('not me')) }),
      fake('Passes', { filter: filter('Passes', Status.success()) }),
      fake('Rejects', { filter: filter('Rejects', Status.unschedulable('no room')) }),
      fake('Later', { filter: filter('Later', Status.unschedulable('never asked')) }),
    ]);
    const state = new CycleState();
    framework.runPreFilterPlugins(state, p);
    const status = framework.runFilterPlugins(state, p, n1);
    expect({ ran, code: status.code, plugin: status.plugin, message: status.message() }).toEqual({ ran: ['Passes', 'Rejects'], code: 'Unschedulable', plugin: 'Rejects', message: 'no room' });
  });

  it('Score: normalized, times the weight, summed; a PreScore Skip leaves that Score out', () => {
    const nodes = ['a', 'b'].map((name) => new NodeInfo(node(name).obj()));
    const { framework } = makeFramework([
      fake('Counts', { score: (_s: unknown, _p: unknown, n: NodeInfo) => ({ score: n.name === 'a' ? 2 : 4, status: Status.success() }), normalizeScore: (_s: unknown, _p: unknown, scores: NodeScore[]) => (scores.forEach((s) => (s.score *= 25)), Status.success()) }, 3),
      fake('Flat', { score: () => ({ score: 10, status: Status.success() }) }),
      fake('Skipped', { preScore: () => Status.skip(), score: () => ({ score: 100, status: Status.success() }) }, 5),
    ]);
    const state = new CycleState();
    expect(framework.runPreScorePlugins(state, p, nodes).isSuccess()).toBe(true);
    const { status, totals } = framework.runScorePlugins(state, p, nodes);
    // a: 50 × 3 + 10 = 160; b: 100 × 3 + 10 = 310.
    expect({ ok: status.isSuccess(), totals }).toEqual({ ok: true, totals: [160, 310] });
  });

  it('Score: a score out of 0..100 after normalizing is an error', () => {
    const { framework } = makeFramework([fake('Wild', { score: () => ({ score: 101, status: Status.success() }) })]);
    const { status } = framework.runScorePlugins(new CycleState(), p, [n1]);
    expect(status.message()).toBe('plugin "Wild" returns an invalid score 101, it should in the range of [0, 100] after normalizing');
  });

  it.each([
    {
      name: 'the first success wins',
      plugins: [fake('A', { postFilter: async () => ({ status: Status.unschedulable('a') }) }), fake('B', { postFilter: async () => ({ status: Status.success(), nominatedNodeName: 'n1' }) })],
      want: { code: 'Success', message: '', nominatedNodeName: 'n1' },
    },
    {
      name: 'reasons of all are joined, the nomination kept',
      plugins: [fake('A', { postFilter: async () => ({ status: Status.unschedulable('a'), nominatedNodeName: '' }) }), fake('B', { postFilter: async () => ({ status: Status.unschedulable('b') }) })],
      want: { code: 'Unschedulable', message: 'a, b', nominatedNodeName: '' },
    },
  ])('PostFilter: $name', async ({ plugins, want }) => {
    const result = await makeFramework(plugins).framework.runPostFilterPlugins(new CycleState(), p, new Map());
    expect({ code: result.status.code, message: result.status.message(), nominatedNodeName: result.nominatedNodeName }).toEqual(want);
  });

  it.each([
    { name: 'a nominated pod of higher priority holds its room', nominated: pod('big').priority(100).req({ cpu: '3' }), incoming: pod('p').priority(10).req({ cpu: '2' }), want: 'Insufficient cpu' },
    { name: 'one of equal priority too', nominated: pod('big').priority(10).req({ cpu: '3' }), incoming: pod('p').priority(10).req({ cpu: '2' }), want: 'Insufficient cpu' },
    { name: 'one of lower priority does not', nominated: pod('small').priority(1).req({ cpu: '3' }), incoming: pod('p').priority(10).req({ cpu: '2' }), want: 'fits' },
  ])('Filter with nominated pods: $name', ({ nominated, incoming, want }) => {
    const { framework } = makeFramework([{ name: NodeResourcesFit.NAME, factory: () => new NodeResourcesFit() }], new Map([['n1', [newPodInfo(nominated.obj())]]]));
    const state = new CycleState();
    const obj = incoming.obj();
    framework.runPreFilterPlugins(state, obj);
    const status = framework.runFilterPluginsWithNominatedPods(state, obj, n1);
    expect(status.isSuccess() ? 'fits' : status.message()).toBe(want);
  });

  describe('evict', () => {
    const server = new FakeObjectsServer();
    let client: ObjectsClient;
    beforeAll(async () => {
      client = new ObjectsClient(await server.start());
    });
    afterAll(() => {
      client.close();
      server.stop();
    });

    it('sets DisruptionTarget, deletes the victim, and records Preempted on it', async () => {
      const victim = await client.create(Resources.pods, pod('victim').nodeName('n1').obj());
      const preemptor = pod('important').priority(1000).obj();
      const { framework, events } = makeFramework([], new Map(), client);
      const patched: unknown[] = [];
      const patch = client.patch.bind(client);
      client.patch = (async (...args: Parameters<typeof client.patch>) => (patched.push(args[4]), patch(...args))) as typeof client.patch;
      await framework.evict(victim, preemptor, 'n1');
      expect(patched).toEqual([
        { status: { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler', message: 'default-scheduler: preempting to accommodate a higher priority pod', lastTransitionTime: '2025-01-01T00:00:00Z' }] } },
      ]);
      // A bound pod is deleted gracefully: the kubelet finishes it.
      expect(server.objects.get('/pods/default/victim')?.metadata.deletionTimestamp).toBeDefined();
      expect(events).toEqual([`Normal Preempted victim: Preempted by pod ${preemptor.metadata.uid} on node n1`]);
    });

    it('a victim already gone is no error and no event', async () => {
      const { framework, events } = makeFramework([], new Map(), client);
      await framework.evict(pod('gone').nodeName('n1').obj(), pod('important').obj(), 'n1');
      expect(events).toEqual([]);
    });
  });
});
