import { describe, expect, it } from 'vitest';
import { FakeClock } from '@kubelab/client';
import { ActionType, ClusterEvents, type ClusterEventWithHint } from '../framework/cluster-event';
import type { Pod, QueuedPodInfo } from '../framework/types';
import { PrioritySort } from '../plugins/priority-sort';
import { node, pod } from '../testing/fixtures';
import { SchedulingQueue } from './scheduling-queue';

/** Plugins as the queue knows them: the events each registered. NodeAffinity queues only for nodes labelled disktype=ssd. */
const EVENTS = new Map<string, ClusterEventWithHint[]>([
  ['NodeAffinity', [{ event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeLabel, label: 'NodeAdd|NodeLabelChange' }, queueingHint: (_p, _old, n) => (n?.metadata.labels?.disktype === 'ssd' ? 'Queue' : 'QueueSkip') }]],
  ['NodeResourcesFit', [{ event: { resource: 'Pod', actionType: ActionType.Delete, label: 'AssignedPodDelete' } }]],
]);

function setup() {
  const clock = new FakeClock(1_000_000);
  const sort = new PrioritySort();
  const queue = new SchedulingQueue({ less: (a, b) => sort.less(a, b), clock, eventsToRegister: EVENTS });
  queue.run();
  /** Pops `p` and fails it as `plugins` would. */
  const fail = async (p: Pod, ...plugins: string[]): Promise<QueuedPodInfo> => {
    const pInfo = (await queue.pop())!;
    expect(pInfo.podInfo.pod.metadata.name).toBe(p.metadata.name);
    for (const plugin of plugins) pInfo.unschedulablePlugins.add(plugin);
    queue.addUnschedulableIfNotPresent(pInfo);
    queue.done(pInfo.podInfo.pod);
    return pInfo;
  };
  return { clock, queue, fail };
}

describe('SchedulingQueue', () => {
  it('pops by priority, then by age', async () => {
    const { clock, queue } = setup();
    queue.add(pod('old-low').obj());
    clock.step(10);
    queue.add(pod('high').priority(100).obj());
    clock.step(10);
    queue.add(pod('new-low').obj());
    const order = [];
    for (let i = 0; i < 3; i++) order.push((await queue.pop())!.podInfo.pod.metadata.name);
    expect(order).toEqual(['high', 'old-low', 'new-low']);
  });

  it('pop waits for a pod', async () => {
    const { queue } = setup();
    const popped = queue.pop();
    queue.add(pod('late').obj());
    expect((await popped)!.podInfo.pod.metadata.name).toBe('late');
  });

  it.each([
    { attempts: 1, ms: 1_000 },
    { attempts: 2, ms: 2_000 },
    { attempts: 3, ms: 4_000 },
    { attempts: 4, ms: 8_000 },
    { attempts: 5, ms: 10_000 },
    { attempts: 9, ms: 10_000 },
  ])('back-off after $attempts attempts: $ms ms', ({ attempts, ms }) => {
    const { queue } = setup();
    expect(queue.backoffDuration({ attempts } as QueuedPodInfo)).toBe(ms);
  });

  it('a rejected pod waits in unschedulablePods; an event its plugin registered, with a hint that says Queue, moves it back', async () => {
    const { clock, queue, fail } = setup();
    const p = pod('ssd-only').nodeSelector({ disktype: 'ssd' }).obj();
    queue.add(p);
    await fail(p, 'NodeAffinity');
    expect(queue.whereIs(p)).toBe('unschedulablePods');

    // An event no rejecting plugin registered for, and one whose hint says QueueSkip: it stays.
    queue.moveAllToActiveOrBackoffQueue(ClusterEvents.AssignedPodDelete, pod('gone').nodeName('w').obj());
    queue.moveAllToActiveOrBackoffQueue(ClusterEvents.NodeLabelChange, node('w').obj(), node('w').labels({ zone: 'a' }).obj());
    expect(queue.whereIs(p)).toBe('unschedulablePods');

    // The node labelled disktype=ssd: back, through the backoffQ while its 1 s back-off lasts.
    queue.moveAllToActiveOrBackoffQueue(ClusterEvents.NodeLabelChange, node('w').obj(), node('w').labels({ disktype: 'ssd' }).obj());
    expect(queue.whereIs(p)).toBe('backoffQ');
    clock.step(999);
    expect(queue.whereIs(p)).toBe('backoffQ');
    clock.step(1);
    expect(queue.whereIs(p)).toBe('activeQ');
    expect(queue.pendingPods()).toEqual({ active: 1, backoff: 0, unschedulable: 0 });
  });

  it('an event after the back-off is over sends the pod straight to activeQ', async () => {
    const { clock, queue, fail } = setup();
    const p = pod('p').obj();
    queue.add(p);
    await fail(p, 'NodeResourcesFit');
    clock.step(5_000);
    queue.moveAllToActiveOrBackoffQueue(ClusterEvents.AssignedPodDelete, pod('gone').nodeName('w').obj());
    expect(queue.whereIs(p)).toBe('activeQ');
  });

  it('a pod that failed for an error (no plugin rejected it) retries after its back-off', async () => {
    const { clock, queue, fail } = setup();
    const p = pod('p').obj();
    queue.add(p);
    await fail(p);
    expect(queue.whereIs(p)).toBe('backoffQ');
    clock.step(1_000);
    expect(queue.whereIs(p)).toBe('activeQ');
  });

  it('an event that happened while the pod was being scheduled is not lost', async () => {
    const { clock, queue } = setup();
    const p = pod('p').nodeSelector({ disktype: 'ssd' }).obj();
    queue.add(p);
    const pInfo = (await queue.pop())!;
    // During the cycle, the node is labelled; the cycle ran on the old snapshot and fails.
    queue.moveAllToActiveOrBackoffQueue(ClusterEvents.NodeLabelChange, node('w').obj(), node('w').labels({ disktype: 'ssd' }).obj());
    pInfo.unschedulablePlugins.add('NodeAffinity');
    queue.addUnschedulableIfNotPresent(pInfo);
    queue.done(p);
    expect(queue.whereIs(p)).toBe('backoffQ');
    clock.step(1_000);
    expect(queue.whereIs(p)).toBe('activeQ');
  });

  it("events are kept for the oldest pod in flight, whichever pod is done first", async () => {
    const { clock, queue } = setup();
    const [a, b, c] = [pod('a').nodeSelector({ disktype: 'ssd' }).obj(), pod('b').obj(), pod('c').obj()];
    queue.add(a);
    const aInfo = (await queue.pop())!;
    // An event while only a is in flight; then b and c are popped, and c is bound while a and b are still in flight.
    queue.moveAllToActiveOrBackoffQueue(ClusterEvents.NodeLabelChange, node('w').obj(), node('w').labels({ disktype: 'ssd' }).obj());
    queue.add(b);
    queue.add(c);
    await queue.pop();
    await queue.pop();
    queue.done(c);
    aInfo.unschedulablePlugins.add('NodeAffinity');
    queue.addUnschedulableIfNotPresent(aInfo);
    queue.done(a);
    expect(queue.whereIs(a)).toBe('backoffQ');
    clock.step(1_000);
    expect(queue.whereIs(a)).toBe('activeQ');
  });

  it('pods unschedulable for 5 minutes are retried at the next 30 s flush', async () => {
    const { clock, queue, fail } = setup();
    const p = pod('p').obj();
    queue.add(p);
    await fail(p, 'NodeAffinity');
    clock.step(5 * 60_000);
    expect(queue.whereIs(p)).toBe('unschedulablePods');
    clock.step(30_000);
    expect(queue.whereIs(p)).toBe('activeQ');
  });

  it.each([
    { name: 'a status-only change leaves it where it is', change: (p: Pod) => ({ ...p, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] } }), where: 'unschedulablePods' },
    { name: 'a spec change retries it', change: (p: Pod) => ({ ...p, spec: { ...p.spec, nodeSelector: {} } }), where: 'backoffQ' },
    { name: 'a label change retries it', change: (p: Pod) => ({ ...p, metadata: { ...p.metadata, labels: { app: 'x' } } }), where: 'backoffQ' },
  ])('an unschedulable pod updated: $name', async ({ change, where }) => {
    const { queue, fail } = setup();
    const p = pod('p').nodeSelector({ disktype: 'ssd' }).obj();
    queue.add(p);
    await fail(p, 'NodeAffinity');
    const updated = change(p);
    queue.update(p, updated);
    expect(queue.whereIs(p)).toBe(where);
  });

  it('delete removes the pod from wherever it waits, and its nomination', async () => {
    const { queue, fail } = setup();
    const p = pod('p').nominatedNodeName('w').obj();
    queue.add(p);
    expect(queue.nominator.nominatedPodsForNode('w').map((i) => i.pod.metadata.name)).toEqual(['p']);
    await fail(p, 'NodeAffinity');
    queue.delete(p);
    expect({ where: queue.whereIs(p), nominated: queue.nominator.nominatedPodsForNode('w') }).toEqual({ where: undefined, nominated: [] });
  });

  it('refuses a pod that is already queued', async () => {
    const { queue } = setup();
    const p = pod('p').obj();
    queue.add(p);
    const pInfo = (await queue.pop())!;
    queue.add(p);
    expect(() => queue.addUnschedulableIfNotPresent(pInfo)).toThrow(/already present/);
  });
});
