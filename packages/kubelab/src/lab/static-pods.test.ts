import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { labLayout } from './layout';
import { planNetwork } from './network';
import { processTable } from './process-table';
import { profiles } from './profiles';
import { staticPodManifests, writeStaticPodManifests } from './static-pods';
import { defaultTopology, parseTopology } from './topology';

const DIR = '/tmp/kubelab-static-pods-test';

describe('the static pod manifests of a lab', () => {
  const topology = defaultTopology();
  const table = processTable(labLayout(DIR, 20_000), profiles.default, '/usr/sbin/nats-server', topology, planNetwork(topology));
  let written: string | undefined;
  afterEach(() => {
    if (written) fs.rmSync(written, { recursive: true, force: true });
    written = undefined;
  });

  it("puts kubeadm's four control-plane pods on the first control-plane node and a kube-proxy on every node", () => {
    const manifests = staticPodManifests(DIR, table, topology);
    expect(manifests.map((m) => path.relative(DIR, m.file))).toEqual([
      'manifests/kubelab-control-plane/etcd.json',
      'manifests/kubelab-control-plane/kube-apiserver.json',
      'manifests/kubelab-control-plane/kube-scheduler.json',
      'manifests/kubelab-control-plane/kube-controller-manager.json',
      'manifests/kubelab-control-plane/kube-proxy.json',
      'manifests/kubelab-worker/kube-proxy.json',
      'manifests/kubelab-worker2/kube-proxy.json',
    ]);
    // Each kubelet reads its own node's folder.
    for (const node of topology.nodes) {
      const args = table.find((p) => p.name === `kubelet-${node.name}`)!.args;
      expect(args[args.indexOf('--pod-manifest-path') + 1]).toBe(`${DIR}/manifests/${node.name}`);
    }
  });

  it("writes each as kubeadm does (kube-system, host network, system-node-critical, kubeadm's image), with the real command line, the lab process it is, and its health URL as the readiness probe", () => {
    const [etcd, , scheduler, , proxy] = staticPodManifests(DIR, table, topology);
    const store = table.find((p) => p.name === 'store')!;
    expect(etcd!.pod).toMatchObject({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'etcd',
        namespace: 'kube-system',
        labels: { component: 'etcd', tier: 'control-plane' },
        annotations: { 'kubelab.io/process': `{"stateFile":"${DIR}/lab.json","name":"store"}`, 'kubeadm.kubernetes.io/etcd.advertise-client-urls': 'http://127.0.0.1:20002' },
      },
      spec: {
        hostNetwork: true,
        priority: 2000001000,
        priorityClassName: 'system-node-critical',
        containers: [
          {
            name: 'etcd',
            image: 'registry.k8s.io/etcd:3.5.16-0',
            command: [store.command, ...store.args],
            readinessProbe: { httpGet: { host: '127.0.0.1', port: 20003, path: '/readyz', scheme: 'HTTP' }, periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 3 },
            resources: { requests: { cpu: '100m' } },
          },
        ],
      },
    });
    expect(scheduler!.pod).toMatchObject({ metadata: { name: 'kube-scheduler', labels: { component: 'kube-scheduler', tier: 'control-plane' } }, spec: { containers: [{ image: 'registry.k8s.io/kube-scheduler:v1.32.0', resources: { requests: { cpu: '100m' } } }] } });
    expect(proxy!.pod).toMatchObject({
      metadata: { name: 'kube-proxy', labels: { 'k8s-app': 'kube-proxy' }, annotations: { 'kubelab.io/process': `{"stateFile":"${DIR}/lab.json","name":"kube-proxy-kubelab-control-plane"}` } },
      spec: { priorityClassName: 'system-node-critical', containers: [{ image: 'registry.k8s.io/kube-proxy:v1.32.0', resources: {}, readinessProbe: { httpGet: { host: '127.18.0.2', port: 10256, path: '/healthz' } } }] },
    });
  });

  it('picks the first control-plane node of a topology, and writes the files afresh', () => {
    const custom = parseTopology(`kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
name: ha
nodes:
  - role: worker
  - role: control-plane
`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelab-static-pods-'));
    written = dir;
    const customTable = processTable(labLayout(dir, 20_000), profiles.fast, 'nats-server', custom, planNetwork(custom));
    fs.mkdirSync(path.join(dir, 'manifests', 'gone'), { recursive: true });
    const manifests = writeStaticPodManifests(dir, customTable, custom);
    const name = (m: (typeof manifests)[number]) => (m.pod.metadata as { name: string }).name;
    expect(new Set(manifests.filter((m) => name(m) !== 'kube-proxy').map((m) => m.node))).toEqual(new Set(['ha-control-plane']));
    expect(fs.readdirSync(path.join(dir, 'manifests')).sort()).toEqual(['ha-control-plane', 'ha-worker']);
    expect(fs.readdirSync(path.join(dir, 'manifests', 'ha-control-plane')).sort()).toEqual(['etcd.json', 'kube-apiserver.json', 'kube-controller-manager.json', 'kube-proxy.json', 'kube-scheduler.json']);
    expect(yaml.load(fs.readFileSync(path.join(dir, 'manifests', 'ha-worker', 'kube-proxy.json'), 'utf8'))).toEqual(manifests.find((m) => m.node === 'ha-worker')!.pod);
  });
});
