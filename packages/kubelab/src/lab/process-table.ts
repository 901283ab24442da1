import * as path from 'node:path';
import { paths, type LabLayout } from './layout';
import type { Profile } from './profiles';

/** One process of the lab: how to start it, where it serves, how to tell it is healthy. */
export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  /** What it serves, for people ("nats://127.0.0.1:4222"). */
  address: string;
  healthUrl: string;
  logFile: string;
}

/** The `kubelab` command itself, to start components as `node kubelab.js <component> ...`. */
export const KUBELAB_BIN = path.resolve(__dirname, '../../bin/kubelab.js');

/**
 * THE process table: every process `kubelab up` starts, in start order (`down` stops them in
 * reverse). Each issue that adds a component adds its row here and nowhere else.
 */
export function processTable(layout: LabLayout, profile: Profile, natsServer: string): ProcessSpec[] {
  const { ports, dir } = layout;
  const log = (name: string) => path.join(paths.logs(dir), `${name}.log`);
  const natsUrl = `nats://127.0.0.1:${ports.nats}`;
  const kubelab = (component: string, args: string[]) => ({ command: process.execPath, args: [KUBELAB_BIN, component, ...args] });
  const le = profile.leaderElection;
  const leaderElection = ['--leader-elect-lease-duration', le.leaseDuration, '--leader-elect-renew-deadline', le.renewDeadline, '--leader-elect-retry-period', le.retryPeriod];
  return [
    {
      name: 'nats',
      command: natsServer,
      args: ['-a', '127.0.0.1', '-p', String(ports.nats), '-m', String(ports.natsMonitor), '-n', 'kubelab'],
      address: natsUrl,
      healthUrl: `http://127.0.0.1:${ports.natsMonitor}/healthz`,
      logFile: log('nats'),
    },
    {
      name: 'store',
      ...kubelab('store', [
        '--name',
        'kubelab',
        '--data-dir',
        paths.data(dir, 'store'),
        '--listen-client-urls',
        `http://127.0.0.1:${ports.store}`,
        '--advertise-client-urls',
        `http://127.0.0.1:${ports.store}`,
        '--listen-metrics-urls',
        `http://127.0.0.1:${ports.storeMetrics}`,
        '--experimental-watch-progress-notify-interval',
        profile.watchProgressNotifyInterval,
        '--nats-url',
        natsUrl,
      ]),
      address: `http://127.0.0.1:${ports.store}`,
      healthUrl: `http://127.0.0.1:${ports.storeMetrics}/readyz`,
      logFile: log('store'),
    },
    {
      name: 'apiserver',
      ...kubelab('apiserver', [
        '--etcd-servers',
        `http://127.0.0.1:${ports.store}`,
        '--bind-address',
        '127.0.0.1',
        '--port',
        String(ports.apiserver),
        '--grpc-port',
        String(ports.apiserverGrpc),
        '--default-not-ready-toleration-seconds',
        String(profile.defaultTolerationSeconds),
        '--default-unreachable-toleration-seconds',
        String(profile.defaultTolerationSeconds),
        '--nats-url',
        natsUrl,
      ]),
      address: `http://127.0.0.1:${ports.apiserver}`,
      healthUrl: `http://127.0.0.1:${ports.apiserver}/readyz`,
      logFile: log('apiserver'),
    },
    {
      name: 'scheduler',
      ...kubelab('scheduler', ['--master', `127.0.0.1:${ports.apiserverGrpc}`, '--bind-address', '127.0.0.1', '--port', String(ports.scheduler), ...leaderElection, '--nats-url', natsUrl]),
      address: `http://127.0.0.1:${ports.scheduler}`,
      healthUrl: `http://127.0.0.1:${ports.scheduler}/healthz`,
      logFile: log('scheduler'),
    },
    {
      name: 'controller-manager',
      ...kubelab('controller-manager', [
        '--master',
        `127.0.0.1:${ports.apiserverGrpc}`,
        '--bind-address',
        '127.0.0.1',
        '--port',
        String(ports.controllerManager),
        ...leaderElection,
        '--node-monitor-period',
        profile.nodeMonitor.period,
        '--node-monitor-grace-period',
        profile.nodeMonitor.gracePeriod,
        '--node-startup-grace-period',
        profile.nodeMonitor.startupGracePeriod,
        '--nats-url',
        natsUrl,
      ]),
      address: `http://127.0.0.1:${ports.controllerManager}`,
      healthUrl: `http://127.0.0.1:${ports.controllerManager}/healthz`,
      logFile: log('controller-manager'),
    },
  ];
}
