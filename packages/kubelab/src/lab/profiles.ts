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
}

export const profiles: Record<Profile['name'], Profile> = {
  default: {
    name: 'default',
    watchProgressNotifyInterval: '10m',
    leaderElection: { leaseDuration: '15s', renewDeadline: '10s', retryPeriod: '2s' },
    nodeMonitor: { period: '5s', gracePeriod: '50s', startupGracePeriod: '1m' },
    defaultTolerationSeconds: 300,
  },
  fast: {
    name: 'fast',
    watchProgressNotifyInterval: '5s',
    leaderElection: { leaseDuration: '4s', renewDeadline: '3s', retryPeriod: '1s' },
    nodeMonitor: { period: '1s', gracePeriod: '6s', startupGracePeriod: '10s' },
    defaultTolerationSeconds: 10,
  },
};

export function profileNamed(name: string): Profile {
  const profile = profiles[name as Profile['name']];
  if (!profile) throw new Error(`unknown profile "${name}": use ${Object.keys(profiles).join(' or ')}`);
  return profile;
}
