/**
 * Time profiles. `default` keeps Kubernetes' and etcd's own timings, so the lab behaves as a real
 * cluster does; `fast` shortens them so tests and demos see the same behaviour in seconds.
 * Every component reads its timings from here, as flags (lease durations, grace periods, ...).
 */
export interface Profile {
  name: 'default' | 'fast';
  /** etcd's --experimental-watch-progress-notify-interval */
  watchProgressNotifyInterval: string;
  /** --leader-elect-lease-duration / -renew-deadline / -retry-period of the scheduler and controller-manager. */
  leaderElection: { leaseDuration: string; renewDeadline: string; retryPeriod: string };
  /** The node lifecycle controller's --node-monitor-period / --node-monitor-grace-period / --node-startup-grace-period. */
  nodeMonitor: { period: string; gracePeriod: string; startupGracePeriod: string };
  /** kube-apiserver's --default-not-ready-toleration-seconds / --default-unreachable-toleration-seconds. */
  defaultTolerationSeconds: number;
  /** The kubelet's timings (its flags of the same names). */
  kubelet: {
    /** --node-status-update-frequency: how often the Node's status is posted. */
    nodeStatusUpdateFrequency: string;
    /** --node-lease-duration-seconds: the node Lease's duration; it is renewed every quarter of it. */
    nodeLeaseDurationSeconds: number;
    /** CrashLoopBackOff: the first back-off, doubled on each restart up to the max. */
    crashLoopBackOff: { initial: string; max: string };
  };
}

export const profiles: Record<Profile['name'], Profile> = {
  default: {
    name: 'default',
    watchProgressNotifyInterval: '10m',
    leaderElection: { leaseDuration: '15s', renewDeadline: '10s', retryPeriod: '2s' },
    nodeMonitor: { period: '5s', gracePeriod: '50s', startupGracePeriod: '1m' },
    defaultTolerationSeconds: 300,
    // The kubelet's defaults: status every 10s, a 40s Lease, back-off 10s, 20s, 40s, ... 5m.
    kubelet: { nodeStatusUpdateFrequency: '10s', nodeLeaseDurationSeconds: 40, crashLoopBackOff: { initial: '10s', max: '5m' } },
  },
  fast: {
    name: 'fast',
    watchProgressNotifyInterval: '5s',
    leaderElection: { leaseDuration: '4s', renewDeadline: '3s', retryPeriod: '1s' },
    nodeMonitor: { period: '1s', gracePeriod: '6s', startupGracePeriod: '10s' },
    defaultTolerationSeconds: 10,
    // The Lease is renewed every 2.5s, well inside the 6s grace period; back-off still doubles: 1s, 2s, 4s, 8s, 16s.
    kubelet: { nodeStatusUpdateFrequency: '2s', nodeLeaseDurationSeconds: 10, crashLoopBackOff: { initial: '1s', max: '16s' } },
  },
};

export function profileNamed(name: string): Profile {
  const profile = profiles[name as Profile['name']];
  if (!profile) throw new Error(`unknown profile "${name}": use ${Object.keys(profiles).join(' or ')}`);
  return profile;
}
