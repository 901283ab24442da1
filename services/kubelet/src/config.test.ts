import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseKubeletFlags } from './config';

describe('parseKubeletFlags', () => {
  it("defaults are the kubelet's (ports, frequencies, back-off) and the lab's (addresses)", () => {
    expect(parseKubeletFlags(['--node-name', 'worker'])).toEqual({
      nodeName: 'worker',
      master: '127.0.0.1:6444',
      nodeIP: '127.0.0.1',
      podCIDR: '127.244.0.0/24',
      port: 10250,
      healthzPort: 10248,
      rootDir: path.join(os.tmpdir(), 'kubelab-kubelet'),
      nodeLabels: {},
      registerWithTaints: [],
      capacity: { cpu: '2', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi' },
      clusterDNS: undefined,
      clusterDomain: 'cluster.local',
      nodeStatusUpdateFrequencyMs: 10_000,
      nodeStatusReportFrequencyMs: 300_000,
      nodeLeaseDurationSeconds: 40,
      crashLoopBackOffInitialMs: 10_000,
      crashLoopBackOffMaxMs: 300_000,
      housekeepingIntervalMs: 1_000,
      natsUrl: undefined,
      podManifestPath: undefined,
      logLevel: 'info',
    });
  });

  it.each([
    { args: ['--node-labels', 'node-role.kubernetes.io/control-plane=,disktype=ssd'], field: 'nodeLabels', want: { 'node-role.kubernetes.io/control-plane': '', disktype: 'ssd' } },
    {
      args: ['--register-with-taints', 'node-role.kubernetes.io/control-plane:NoSchedule,dedicated=gpu:NoExecute'],
      field: 'registerWithTaints',
      want: [
        { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
        { key: 'dedicated', value: 'gpu', effect: 'NoExecute' },
      ],
    },
    { args: ['--capacity', 'cpu=4,memory=8192Mi'], field: 'capacity', want: { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi' } },
    { args: ['--node-status-update-frequency', '1s', '--node-status-report-frequency', '1m'], field: 'nodeStatusReportFrequencyMs', want: 60_000 },
    { args: ['--crash-loop-back-off-initial', '500ms', '--crash-loop-back-off-max', '4s'], field: 'crashLoopBackOffMaxMs', want: 4_000 },
    { args: ['--cluster-dns', '127.96.0.10'], field: 'clusterDNS', want: '127.96.0.10' },
    { args: ['--root-dir', 'relative/dir'], field: 'rootDir', want: path.resolve('relative/dir') },
    { args: ['--port', '0'], field: 'port', want: 0 },
    { args: ['--pod-manifest-path', 'lab/manifests'], field: 'podManifestPath', want: path.resolve('lab/manifests') },
  ])('$args', ({ args, field, want }) => {
    expect(parseKubeletFlags(['--node-name', 'worker', ...args])[field as keyof ReturnType<typeof parseKubeletFlags>]).toEqual(want);
  });

  it.each([
    { args: [], error: /required option '--node-name <name>' not specified/ },
    { args: ['--node-name', 'w', '--port', '70000'], error: /not a port number/ },
    { args: ['--node-name', 'w', '--node-ip', 'localhost'], error: /"localhost" is not an IPv4 address/ },
    { args: ['--node-name', 'w', '--pod-cidr', '127.244.1.0'], error: /not an IPv4 CIDR/ },
    { args: ['--node-name', 'w', '--pod-cidr', '127.244.1.0/33'], error: /not an IPv4 CIDR/ },
    { args: ['--node-name', 'w', '--node-labels', 'disktype'], error: /"disktype" is not key=value/ },
    { args: ['--node-name', 'w', '--register-with-taints', 'dedicated=gpu:Sometimes'], error: /is not key\[=value\]:Effect/ },
    { args: ['--node-name', 'w', '--capacity', 'memory=lots'], error: /--capacity memory="lots": quantities must match the regular expression/ },
    { args: ['--node-name', 'w', '--node-lease-duration-seconds', '0'], error: /not a positive whole number/ },
    { args: ['--node-name', 'w', '--node-status-update-frequency', 'often'], error: /often/ },
    { args: ['--node-name', 'w', '--crash-loop-back-off-initial', '1m', '--crash-loop-back-off-max', '10s'], error: /--crash-loop-back-off-max must be at least --crash-loop-back-off-initial/ },
  ])('refuses $args', ({ args, error }) => {
    const stderr = process.stderr.write;
    process.stderr.write = () => true; // commander prints its errors too
    try {
      expect(() => parseKubeletFlags(args)).toThrow(error);
    } finally {
      process.stderr.write = stderr;
    }
  });
});
