import { describe, expect, it } from 'vitest';
import { labLayout } from './layout';
import { planNetwork } from './network';
import { KUBELAB_BIN, processTable, type ProcessSpec } from './process-table';
import { profiles } from './profiles';
import { defaultTopology, parseTopology } from './topology';

const DIR = '/tmp/kubelab-table-test';
const byName = (table: ProcessSpec[], name: string) => table.find((p) => p.name === name)!;
/** The arguments after `kubelab.js <component>`. */
/** A component's own flags: what follows `kubelab.js <component>` (node's own flags come before). */
const flags = (spec: ProcessSpec) => spec.args.slice(spec.args.indexOf(KUBELAB_BIN) + 2);
const component = (spec: ProcessSpec) => spec.args[spec.args.indexOf(KUBELAB_BIN) + 1];

describe('the process table of a three-node lab', () => {
  const topology = defaultTopology();
  const layout = labLayout(DIR, 20_000);
  const table = processTable(layout, profiles.default, '/usr/sbin/nats-server', topology, planNetwork(topology));

  it('starts the control plane, then a kubelet and a kube-proxy per node, named as their static pods would be', () => {
    expect(table.map((p) => [p.name, p.node])).toEqual([
      ['nats', undefined],
      ['store', undefined],
      ['apiserver', undefined],
      ['scheduler', undefined],
      ['controller-manager', undefined],
      ['kubelet-kubelab-control-plane', 'kubelab-control-plane'],
      ['kube-proxy-kubelab-control-plane', 'kubelab-control-plane'],
      ['kubelet-kubelab-worker', 'kubelab-worker'],
      ['kube-proxy-kubelab-worker', 'kubelab-worker'],
      ['kubelet-kubelab-worker2', 'kubelab-worker2'],
      ['kube-proxy-kubelab-worker2', 'kubelab-worker2'],
    ]);
    for (const p of table.slice(1)) expect(component(p)).toBe(p.name === 'store' ? 'store' : p.name.startsWith('kubelet-') ? 'kubelet' : p.name.startsWith('kube-proxy-') ? 'kube-proxy' : p.name);
    expect(byName(table, 'kubelet-kubelab-worker').logFile).toBe(`${DIR}/logs/kubelet-kubelab-worker.log`);
  });

  it('gives the apiserver the service range and the controller-manager the load-balancer pool', () => {
    const apiserver = flags(byName(table, 'apiserver'));
    expect(apiserver[apiserver.indexOf('--service-cluster-ip-range') + 1]).toBe('127.96.0.0/16');
    const cm = flags(byName(table, 'controller-manager'));
    expect(cm[cm.indexOf('--load-balancer-ip-pool') + 1]).toBe('127.0.200.1-127.0.200.254');
  });

  it("runs the control-plane node's kubelet with its IP, podCIDR, labels, taint, capacity, DNS and Kubernetes' timings", () => {
    const kubelet = byName(table, 'kubelet-kubelab-control-plane');
    expect(flags(kubelet)).toEqual([
      '--node-name', 'kubelab-control-plane',
      '--master', '127.0.0.1:20005',
      '--node-ip', '127.18.0.2',
      '--pod-cidr', '127.244.0.0/24',
      '--root-dir', `${DIR}/data/kubelet/kubelab-control-plane`,
      '--pod-manifest-path', `${DIR}/manifests/kubelab-control-plane`,
      '--node-labels', 'node-role.kubernetes.io/control-plane=,node.kubernetes.io/exclude-from-external-load-balancers=',
      '--register-with-taints', 'node-role.kubernetes.io/control-plane:NoSchedule',
      '--capacity', 'cpu=2,memory=8Gi,pods=110',
      '--cluster-dns', '127.96.0.10',
      '--cluster-domain', 'cluster.local',
      '--node-status-update-frequency', '10s',
      '--node-lease-duration-seconds', '40',
      '--crash-loop-back-off-initial', '10s',
      '--crash-loop-back-off-max', '5m',
      '--nats-url', 'nats://127.0.0.1:20000',
    ]); // prettier-ignore
    expect(kubelet.address).toBe('grpc://127.18.0.2:10250');
    expect(kubelet.healthUrl).toBe('http://127.18.0.2:10248/healthz');
  });

  it("runs a worker's kubelet without role labels or taints, and each kube-proxy on its node's IP", () => {
    const worker = flags(byName(table, 'kubelet-kubelab-worker2'));
    expect(worker).not.toContain('--node-labels');
    expect(worker).not.toContain('--register-with-taints');
    expect(worker.slice(0, 10)).toEqual(['--node-name', 'kubelab-worker2', '--master', '127.0.0.1:20005', '--node-ip', '127.18.0.4', '--pod-cidr', '127.244.2.0/24', '--root-dir', `${DIR}/data/kubelet/kubelab-worker2`]);
    const proxy = byName(table, 'kube-proxy-kubelab-worker');
    expect(flags(proxy)).toEqual([
      '--node-name', 'kubelab-worker',
      '--master', '127.0.0.1:20005',
      '--nodeport-addresses', '127.18.0.3/32',
      '--healthz-bind-address', '127.18.0.3:10256',
      '--metrics-bind-address', '127.18.0.3:10249',
      '--cluster-dns', '127.96.0.10',
      '--cluster-domain', 'cluster.local',
      '--nats-url', 'nats://127.0.0.1:20000',
    ]); // prettier-ignore
    expect(proxy.healthUrl).toBe('http://127.18.0.3:10256/healthz');
  });

  it("passes a topology's labels, capacity and extraPortMappings, and the fast profile's timings", () => {
    const custom = parseTopology(`kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
  - role: control-plane
  - role: worker
    labels: {disktype: ssd}
    capacity: {cpu: 4, memory: 6Gi, pods: 20}
    extraPortMappings:
      - {containerPort: 30001, hostPort: 8000}
      - {containerPort: 30002, hostPort: 8001, listenAddress: 127.0.0.5}
`);
    const fast = processTable(layout, profiles.fast, 'nats-server', custom, planNetwork(custom));
    const kubelet = flags(byName(fast, 'kubelet-kubelab-worker'));
    const value = (args: string[], flag: string) => args[args.indexOf(flag) + 1];
    expect(value(kubelet, '--node-labels')).toBe('disktype=ssd');
    expect(value(kubelet, '--capacity')).toBe('cpu=4,memory=6Gi,pods=20');
    expect(['--node-status-update-frequency', '--node-lease-duration-seconds', '--crash-loop-back-off-initial', '--crash-loop-back-off-max'].map((f) => value(kubelet, f))).toEqual(['2s', '10', '1s', '16s']);
    expect(value(flags(byName(fast, 'kube-proxy-kubelab-worker')), '--extra-port-mappings')).toBe('127.0.0.1:8000:30001,127.0.0.5:8001:30002');
    expect(flags(byName(fast, 'kube-proxy-kubelab-control-plane'))).not.toContain('--extra-port-mappings');
  });
});

describe('profiles', () => {
  it("default keeps the kubelet's own timings: status every 10s, a 40s Lease, CrashLoopBackOff from 10s to 5m", () => {
    expect(profiles.default.kubelet).toEqual({ nodeStatusUpdateFrequency: '10s', nodeLeaseDurationSeconds: 40, crashLoopBackOff: { initial: '10s', max: '5m' } });
  });

  it('fast shortens them and keeps the back-off doubling visible: 1s, 2s, 4s, 8s, 16s', () => {
    expect(profiles.fast.kubelet).toEqual({ nodeStatusUpdateFrequency: '2s', nodeLeaseDurationSeconds: 10, crashLoopBackOff: { initial: '1s', max: '16s' } });
    // The Lease is renewed every quarter of its duration: well inside the node monitor's grace period.
    expect((profiles.fast.kubelet.nodeLeaseDurationSeconds / 4) * 1000).toBeLessThan(Number.parseInt(profiles.fast.nodeMonitor.gracePeriod) * 1000 / 2);
  });
});
