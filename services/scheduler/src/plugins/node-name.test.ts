import { describe, expect, it } from 'vitest';
import { CycleState } from '../framework/cycle-state';
import { NodeInfo } from '../framework/node-info';
import { node, pod } from '../testing/fixtures';
import { NodeName } from './node-name';

describe('NodeName', () => {
  it.each([
    { name: 'no node named', pod: pod('p'), node: 'a', code: 'Success', reasons: [] },
    { name: 'this node named', pod: pod('p').nodeName('a'), node: 'a', code: 'Success', reasons: [] },
    { name: 'another node named', pod: pod('p').nodeName('b'), node: 'a', code: 'UnschedulableAndUnresolvable', reasons: ["node(s) didn't match the requested node name"] },
  ])('$name', ({ pod: p, node: n, code, reasons }) => {
    const status = new NodeName().filter(new CycleState(), p.obj(), new NodeInfo(node(n).obj()));
    expect({ code: status.code, reasons: status.reasons }).toEqual({ code, reasons });
  });
});
