import { describe, expect, it } from 'vitest';
import { parseSchedulerFlags } from './config';

describe('parseSchedulerFlags', () => {
  it("defaults are kube-scheduler's", () => {
    expect(parseSchedulerFlags([])).toEqual({
      master: '127.0.0.1:6444',
      bindAddress: '127.0.0.1',
      port: 10259,
      leaderElection: { leaderElect: true, leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, resourceName: 'kube-scheduler', resourceNamespace: 'kube-system' },
      schedulerName: 'default-scheduler',
      podInitialBackoffMs: 1_000,
      podMaxBackoffMs: 10_000,
      natsUrl: undefined,
      logLevel: 'info',
    });
  });

  it.each([
    { args: ['--scheduler-name', 'my-scheduler'], field: 'schedulerName', want: 'my-scheduler' },
    { args: ['--pod-initial-backoff-seconds', '0.5', '--pod-max-backoff-seconds', '2'], field: 'podMaxBackoffMs', want: 2_000 },
    { args: ['--pod-initial-backoff-seconds', '0.5'], field: 'podInitialBackoffMs', want: 500 },
    { args: ['--port', '0'], field: 'port', want: 0 },
    { args: ['--leader-elect', 'false'], field: 'leaderElection', want: expect.objectContaining({ leaderElect: false }) },
  ])('$args', ({ args, field, want }) => {
    expect(parseSchedulerFlags(args)[field as keyof ReturnType<typeof parseSchedulerFlags>]).toEqual(want);
  });

  it.each([
    { args: ['--port', '70000'], error: /not a port number/ },
    { args: ['--pod-max-backoff-seconds', '-1'], error: /not a positive number of seconds/ },
    { args: ['--pod-initial-backoff-seconds', '20'], error: /--pod-max-backoff-seconds must be at least --pod-initial-backoff-seconds/ },
  ])('refuses $args', ({ args, error }) => {
    expect(() => parseSchedulerFlags(args)).toThrow(error);
  });
});
