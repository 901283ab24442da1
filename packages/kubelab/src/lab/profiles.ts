/**
 * Time profiles. `default` keeps Kubernetes' and etcd's own timings, so the lab behaves as a real
 * cluster does; `fast` shortens them so tests and demos see the same behaviour in seconds.
 * Components added later read their timings from here (lease durations, grace periods, ...).
 */
export interface Profile {
  name: 'default' | 'fast';
  /** etcd's --experimental-watch-progress-notify-interval */
  watchProgressNotifyInterval: string;
}

export const profiles: Record<Profile['name'], Profile> = {
  default: { name: 'default', watchProgressNotifyInterval: '10m' },
  fast: { name: 'fast', watchProgressNotifyInterval: '5s' },
};

export function profileNamed(name: string): Profile {
  const profile = profiles[name as Profile['name']];
  if (!profile) throw new Error(`unknown profile "${name}": use ${Object.keys(profiles).join(' or ')}`);
  return profile;
}
