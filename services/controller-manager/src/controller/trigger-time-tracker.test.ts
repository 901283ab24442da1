import { describe, expect, it } from 'vitest';
import { runningPod, serviceFixture } from './testing-objects';
import { rfc3339Nano, TriggerTimeTracker } from './trigger-time-tracker';

const T = (s: number) => Date.parse('2026-01-01T00:00:00Z') + s * 1000;
const iso = (s: number) => new Date(T(s)).toISOString();

describe('TriggerTimeTracker', () => {
  it('dates the first sync by the Service, then each sync by the earliest change since the last', () => {
    const tracker = new TriggerTimeTracker();
    const service = serviceFixture('web', { created: iso(0) });
    const a = runningPod('a', { readySince: iso(10) });
    const b = runningPod('b', { readySince: iso(20) });
    expect(tracker.compute(service, [a])).toBe(T(0));
    // Nothing moved: no trigger time.
    expect(tracker.compute(service, [a])).toBeNaN();
    // b is new, a moved later: the earlier of the two.
    expect(tracker.compute(service, [runningPod('a', { readySince: iso(30) }), b])).toBe(T(20));
    // A Service recreated under the same name counts as a change.
    expect(tracker.compute(serviceFixture('web', { created: iso(40) }), [])).toBe(T(40));
    tracker.deleteService('default', 'web');
    expect(tracker.compute(service, [a])).toBe(T(0));
  });
});

describe('rfc3339Nano', () => {
  it.each([
    { ms: T(5), want: '2026-01-01T00:00:05Z' },
    { ms: T(5) + 250, want: '2026-01-01T00:00:05.25Z' },
    { ms: T(5) + 7, want: '2026-01-01T00:00:05.007Z' },
  ])('$want', ({ ms, want }) => {
    expect(rfc3339Nano(ms)).toBe(want);
  });
});
