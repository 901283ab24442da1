import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@kubelab/client';
import { StaleCacheTracker } from './stale-cache-tracker';

const obj = (name: string, resourceVersion: string): KubeObject => ({ metadata: { name, resourceVersion } });

describe('StaleCacheTracker', () => {
  it('is stale until the cache holds what was written, then forgets the write', () => {
    const tracker = new StaleCacheTracker();
    tracker.wrote('default/web', obj('web-abc', '12'));
    expect(tracker.isStale('default/web', [])).toBe(true);
    expect(tracker.isStale('default/web', [obj('web-abc', '11')])).toBe(true);
    expect(tracker.isOwnWrite('default/web', obj('web-abc', '12'))).toBe(true);
    expect(tracker.isStale('default/web', [obj('web-abc', '13')])).toBe(false);
    // Forgotten once seen: its absence later is someone else's doing.
    expect(tracker.isStale('default/web', [])).toBe(false);
  });

  it('is stale while a deleted object is still cached', () => {
    const tracker = new StaleCacheTracker();
    tracker.deleted('default/web', obj('web-abc', '12'));
    expect(tracker.isStale('default/web', [obj('web-abc', '12')])).toBe(true);
    expect(tracker.isStale('default/web', [])).toBe(false);
  });

  it('lets go of a write whose object someone else deleted', () => {
    const tracker = new StaleCacheTracker();
    tracker.wrote('default/web', obj('web', '12'));
    tracker.observedDeletion('default/web', obj('web', '12'));
    expect(tracker.isStale('default/web', [])).toBe(false);
    expect(tracker.isStale('default/other', [])).toBe(false);
  });
});
