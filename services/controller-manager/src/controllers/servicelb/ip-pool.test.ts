import { describe, expect, it } from 'vitest';
import { allocate, describePool } from './ip-pool';

const pool = ['127.0.200.1', '127.0.200.2', '127.0.200.3'];

describe('allocate', () => {
  it.each([
    { name: 'the first free address', taken: ['127.0.200.1'], want: { ip: '127.0.200.2' } },
    { name: 'the address it has, if still its own', taken: ['127.0.200.1'], current: '127.0.200.3', want: { ip: '127.0.200.3' } },
    { name: 'a new one if another Service holds what it had', taken: ['127.0.200.3'], current: '127.0.200.3', want: { ip: '127.0.200.1' } },
    { name: 'a new one if what it had is no longer in the pool', taken: [], current: '10.0.0.1', want: { ip: '127.0.200.1' } },
    { name: 'the address it asks for (spec.loadBalancerIP)', taken: [], current: '127.0.200.1', requested: '127.0.200.3', want: { ip: '127.0.200.3' } },
    { name: 'none when the one it asks for is held', taken: ['127.0.200.3'], requested: '127.0.200.3', want: { error: 'requested address 127.0.200.3 is already in use' } },
    { name: 'none when the one it asks for is not in the pool', taken: [], requested: '10.0.0.1', want: { error: 'requested address 10.0.0.1 is not in the pool 127.0.200.1-127.0.200.3' } },
    { name: 'none when the pool is used up', taken: pool, want: { error: 'no addresses left in the pool 127.0.200.1-127.0.200.3' } },
  ])('$name', ({ taken, current, requested, want }) => {
    expect(allocate({ pool, taken: new Set(taken), current, requested })).toEqual(want);
  });
});

describe('describePool', () => {
  it.each([
    { pool: ['127.0.200.1', '127.0.200.2', '127.0.200.3'], want: '127.0.200.1-127.0.200.3' },
    { pool: ['10.0.0.255', '10.0.1.0', '10.0.1.1', '10.0.5.5'], want: '10.0.0.255-10.0.1.1,10.0.5.5' },
    { pool: ['10.0.0.1'], want: '10.0.0.1' },
    { pool: [], want: '' },
  ])('$want', ({ pool: p, want }) => {
    expect(describePool(p)).toBe(want);
  });
});
