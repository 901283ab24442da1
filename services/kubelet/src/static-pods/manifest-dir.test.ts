import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '@kubelab/client';
import { ManifestDir } from './manifest-dir';

const SCHEDULER_YAML = `apiVersion: v1
kind: Pod
metadata:
  name: kube-scheduler
  namespace: kube-system
  labels: {component: kube-scheduler, tier: control-plane}
  annotations:
    kubelab.io/process: '{"stateFile":"/lab/lab.json","name":"scheduler"}'
spec:
  hostNetwork: true
  priorityClassName: system-node-critical
  priority: 2000001000
  containers:
  - name: kube-scheduler
    image: registry.k8s.io/kube-scheduler:v1.32.0
    command: [kube-scheduler, --leader-elect=true]
`;

describe('ManifestDir (the "file" pod source)', () => {
  let dir: string;
  let clock: FakeClock;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelab-manifests-'));
    clock = new FakeClock(Date.parse('2025-03-01T10:00:00.250Z'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads one Pod per file, YAML or JSON, with the defaults the kubelet gives a static pod', () => {
    fs.writeFileSync(path.join(dir, 'kube-scheduler.yaml'), SCHEDULER_YAML);
    fs.writeFileSync(path.join(dir, 'web.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'web', image: 'nginx' }], tolerations: [{ operator: 'Exists', effect: 'NoExecute' }] } }));
    const { pods, errors } = new ManifestDir(dir, 'Lab-Control-Plane', clock).read();
    expect(errors).toEqual([]);
    expect(pods.map((p) => p.fullName)).toEqual(['kube-system/kube-scheduler-lab-control-plane', 'default/web-lab-control-plane']);
    const [scheduler, web] = pods;
    expect(scheduler!.hash).toMatch(/^[0-9a-f]{32}$/);
    expect(scheduler!.pod.metadata).toEqual({
      name: 'kube-scheduler-lab-control-plane',
      namespace: 'kube-system',
      uid: scheduler!.hash,
      labels: { component: 'kube-scheduler', tier: 'control-plane' },
      annotations: {
        'kubelab.io/process': '{"stateFile":"/lab/lab.json","name":"scheduler"}',
        'kubernetes.io/config.hash': scheduler!.hash,
        'kubernetes.io/config.seen': '2025-03-01T10:00:00.25Z',
        'kubernetes.io/config.source': 'file',
      },
    });
    expect(scheduler!.pod.spec).toMatchObject({ nodeName: 'Lab-Control-Plane', hostNetwork: true, priorityClassName: 'system-node-critical', tolerations: [{ operator: 'Exists', effect: 'NoExecute' }] });
    // A pod that tolerates every NoExecute taint already does not get a second toleration.
    expect(web!.pod.spec!.tolerations).toEqual([{ operator: 'Exists', effect: 'NoExecute' }]);
    expect(web!.file).toBe(path.join(dir, 'web.json'));
  });

  it('skips hidden files and folders, reports files that are not a Pod, and keeps the first of two files naming one pod', () => {
    fs.writeFileSync(path.join(dir, '.kube-scheduler.yaml.swp'), 'garbage: [');
    fs.mkdirSync(path.join(dir, 'old'));
    fs.writeFileSync(path.join(dir, 'old', 'etcd.yaml'), SCHEDULER_YAML);
    fs.writeFileSync(path.join(dir, 'a.yaml'), SCHEDULER_YAML);
    fs.writeFileSync(path.join(dir, 'b.yaml'), SCHEDULER_YAML.replace('--leader-elect=true', '--v=2'));
    fs.writeFileSync(path.join(dir, 'broken.yaml'), 'kind: Pod\nmetadata: [');
    fs.writeFileSync(path.join(dir, 'deployment.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n');
    fs.writeFileSync(path.join(dir, 'nameless.yaml'), 'apiVersion: v1\nkind: Pod\nspec: {containers: [{name: a, image: b}]}\n');
    fs.writeFileSync(path.join(dir, 'empty.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: empty}\nspec: {}\n');
    const { pods, errors } = new ManifestDir(dir, 'n1', clock).read();
    expect(pods.map((p) => path.basename(p.file))).toEqual(['a.yaml']);
    expect(Object.fromEntries(errors.map((e) => [path.basename(e.file), e.message]))).toEqual({
      'b.yaml': 'pod kube-system/kube-scheduler-n1 is already defined by another manifest',
      'broken.yaml': expect.stringMatching(/^unexpected end of the stream|end of the stream/),
      'deployment.yaml': 'the manifest is a apps/v1/Deployment, not a v1 Pod',
      'empty.yaml': 'spec.containers: Required value',
      'nameless.yaml': 'metadata.name: Required value: name or generateName is required',
    });
  });

  it('gives the same manifest the same hash (and keeps when it was first seen); a changed manifest gets another', () => {
    const file = path.join(dir, 'kube-scheduler.yaml');
    fs.writeFileSync(file, SCHEDULER_YAML);
    const source = new ManifestDir(dir, 'n1', clock);
    const first = source.read().pods[0]!;
    // Another kubelet (a restart) on the same file: the same hash, so the mirror pod is kept.
    expect(new ManifestDir(dir, 'n1', clock).read().pods[0]!.hash).toBe(first.hash);
    expect(new ManifestDir(dir, 'n2', clock).read().pods[0]!.hash).not.toBe(first.hash);

    clock.step(5_000);
    fs.writeFileSync(file, SCHEDULER_YAML.replace('--leader-elect=true', '--leader-elect=false'));
    const changed = source.read().pods[0]!;
    expect(changed.hash).not.toBe(first.hash);
    expect(changed.pod.metadata.annotations!['kubernetes.io/config.seen']).toBe('2025-03-01T10:00:05.25Z');
    fs.writeFileSync(file, SCHEDULER_YAML);
    const back = source.read().pods[0]!;
    expect(back.hash).toBe(first.hash);
    expect(back.pod.metadata.annotations!['kubernetes.io/config.seen']).toBe('2025-03-01T10:00:00.25Z');

    fs.rmSync(file);
    expect(source.read()).toEqual({ pods: [], errors: [] });
  });

  it('a folder that does not exist holds no pods', () => {
    expect(new ManifestDir(path.join(dir, 'missing'), 'n1', clock).read()).toEqual({ pods: [], errors: [] });
  });
});
