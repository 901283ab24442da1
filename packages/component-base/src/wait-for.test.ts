import { describe, expect, it } from 'vitest';
import { GiveUp, waitFor } from './wait-for';

describe('waitFor', () => {
  it('returns the first truthy value of the condition', async () => {
    let calls = 0;
    await expect(waitFor(() => (++calls >= 3 ? 'ready' : false), { intervalMs: 1 })).resolves.toBe('ready');
    expect(calls).toBe(3);
  });

  it('times out with the last error the condition threw', async () => {
    await expect(waitFor(() => Promise.reject(new Error('connection refused')), { timeoutMs: 20, intervalMs: 1, what: 'the store' })).rejects.toThrow(
      /^timed out after 20 ms waiting for the store: connection refused$/,
    );
  });

  it('stops at once when the condition gives up, long before the deadline', async () => {
    let calls = 0;
    await expect(
      waitFor(
        () => {
          calls++;
          throw new GiveUp('it exited');
        },
        { timeoutMs: 60_000, what: 'the store' },
      ),
    ).rejects.toThrow('gave up waiting for the store: it exited');
    expect(calls).toBe(1);
  });
});
