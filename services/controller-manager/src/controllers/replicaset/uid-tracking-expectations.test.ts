import { describe, expect, it } from 'vitest';
import { FakeClock } from '@kubelab/client';
import { ControllerExpectations } from '../../controller/expectations';
import { UIDTrackingExpectations } from './uid-tracking-expectations';

describe('UIDTrackingExpectations', () => {
  it('counts each expected pod once, however often its deletion is seen', () => {
    const e = new UIDTrackingExpectations(new ControllerExpectations(new FakeClock(0)));
    e.expectDeletions('default/web', ['default/web-a', 'default/web-b']);
    expect(e.satisfied('default/web')).toBe(false);
    // web-a: its deletionTimestamp, then its removal; and a pod nobody expected.
    e.deletionObserved('default/web', 'default/web-a');
    e.deletionObserved('default/web', 'default/web-a');
    e.deletionObserved('default/web', 'default/web-x');
    expect(e.satisfied('default/web')).toBe(false);
    e.deletionObserved('default/web', 'default/web-b');
    expect(e.satisfied('default/web')).toBe(true);
  });

  it('creations are counted, and deleting the record satisfies at once', () => {
    const e = new UIDTrackingExpectations(new ControllerExpectations(new FakeClock(0)));
    e.expectCreations('default/web', 2);
    e.creationObserved('default/web');
    expect(e.satisfied('default/web')).toBe(false);
    e.delete('default/web');
    expect(e.satisfied('default/web')).toBe(true);
  });
});
