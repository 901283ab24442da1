import { describe, expect, it } from 'vitest';
import { pod } from '../testing/fixtures';
import { FitError } from './fit-error';
import { Status } from './status';

const TAINT = Status.unresolvable('node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }');
const ANTI_AFFINITY = Status.unschedulable("node(s) didn't match pod anti-affinity rules");
const SELECTOR = Status.unresolvable("node(s) didn't match Pod's node affinity/selector");

const statuses = (...entries: Array<[string, Status]>) => new Map(entries);
const many = (n: number, status: Status, prefix: string): Array<[string, Status]> => Array.from({ length: n }, (_, i) => [`${prefix}${i}`, status]);

describe('FitError: the FailedScheduling message as Kubernetes words it', () => {
  it.each([
    {
      name: 'the issue example: a tainted control plane and anti-affinity, with the preemption tail (one period at the end)',
      numAllNodes: 3,
      nodeToStatus: statuses(['cp', TAINT], ['w1', ANTI_AFFINITY], ['w2', ANTI_AFFINITY]),
      preFilterMsg: '',
      postFilterMsg: 'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
      want:
        '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn\'t match pod anti-affinity rules. ' +
        'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
    },
    {
      name: 'the nodeSelector scenario',
      numAllNodes: 3,
      nodeToStatus: statuses(['cp', TAINT], ['w1', SELECTOR], ['w2', SELECTOR]),
      preFilterMsg: '',
      postFilterMsg: 'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
      want: "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    },
    {
      name: 'every reason of a node counts (Insufficient cpu and memory)',
      numAllNodes: 2,
      nodeToStatus: statuses(['a', Status.unschedulable('Insufficient cpu', 'Insufficient memory')], ['b', Status.unschedulable('Insufficient cpu')]),
      preFilterMsg: '',
      postFilterMsg: '',
      want: '0/2 nodes are available: 1 Insufficient memory, 2 Insufficient cpu.',
    },
    {
      name: 'sorted as Go sorts strings: "10 ..." before "2 ..."',
      numAllNodes: 12,
      nodeToStatus: statuses(...many(10, SELECTOR, 'w'), ...many(2, Status.unschedulable('Insufficient cpu'), 'x')),
      preFilterMsg: '',
      postFilterMsg: '',
      want: "0/12 nodes are available: 10 node(s) didn't match Pod's node affinity/selector, 2 Insufficient cpu.",
    },
    {
      name: 'a PreFilter rejection is the whole message (every node has that status)',
      numAllNodes: 3,
      nodeToStatus: statuses(...many(3, Status.unresolvable('pod affinity terms conflict'), 'n')),
      preFilterMsg: 'pod affinity terms conflict',
      postFilterMsg: '',
      want: '0/3 nodes are available: pod affinity terms conflict.',
    },
    {
      name: 'no PostFilter message, no tail',
      numAllNodes: 1,
      nodeToStatus: statuses(['a', Status.unschedulable('Too many pods')]),
      preFilterMsg: '',
      postFilterMsg: '',
      want: '0/1 nodes are available: 1 Too many pods.',
    },
  ])('$name', ({ numAllNodes, nodeToStatus, preFilterMsg, postFilterMsg, want }) => {
    const error = new FitError(pod('p').obj(), numAllNodes, { nodeToStatus, unschedulablePlugins: new Set(), preFilterMsg, postFilterMsg });
    expect(error.message()).toBe(want);
  });
});
