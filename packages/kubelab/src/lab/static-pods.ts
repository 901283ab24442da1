import * as fs from 'node:fs';
import * as path from 'node:path';
import { paths } from './layout';
import type { ProcessSpec } from './process-table';
import type { Topology } from './topology';

/**
 * The kubelet's annotation on a static pod whose container is a process of the lab
 * (services/kubelet/src/static-pods/process-ref.ts): the kubelet finds the process by its name in
 * lab.json, so the pod follows the process when the lab starts it again with a new pid.
 */
export const PROCESS_ANNOTATION = 'kubelab.io/process';

/** How often the kubelet asks a static pod's health URL, and how many failures in a row make it not Ready. */
const READINESS = { periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 3 };

/** One static pod manifest: the node whose kubelet reads it and the file it goes to. */
export interface StaticPodManifest {
  node: string;
  file: string;
  pod: Record<string, unknown>;
}

/**
 * The static pod manifests of a lab, as `kubeadm init` writes /etc/kubernetes/manifests: etcd (the
 * store), kube-apiserver, kube-controller-manager and kube-scheduler on the first control-plane
 * node, kube-proxy on every node. Each Pod is in kube-system, on the host's network, with
 * priorityClassName system-node-critical, and runs the process's real command line; the
 * `kubelab.io/process` annotation tells the kubelet which lab process it is (so it reports its
 * state instead of starting a container), and its readinessProbe is the process's health URL.
 */
export function staticPodManifests(dir: string, table: ProcessSpec[], topology: Topology): StaticPodManifest[] {
  const controlPlane = (topology.nodes.find((n) => n.role === 'control-plane') ?? topology.nodes[0])?.name;
  const out: StaticPodManifest[] = [];
  for (const spec of table) {
    const staticPod = spec.staticPod;
    const node = spec.node ?? controlPlane;
    if (!staticPod || !node) continue;
    const health = new URL(spec.healthUrl);
    const container: Record<string, unknown> = {
      name: staticPod.name,
      image: staticPod.image,
      imagePullPolicy: 'IfNotPresent',
      command: [spec.command, ...spec.args],
      readinessProbe: {
        httpGet: { host: health.hostname, port: Number(health.port), path: health.pathname, scheme: health.protocol === 'https:' ? 'HTTPS' : 'HTTP' },
        ...READINESS,
      },
      resources: staticPod.requests ? { requests: staticPod.requests } : {},
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
    };
    out.push({
      node,
      file: path.join(paths.manifests(dir, node), `${staticPod.name}.json`),
      pod: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          annotations: { ...(staticPod.annotations ?? {}), [PROCESS_ANNOTATION]: JSON.stringify({ stateFile: paths.state(dir), name: spec.name }) },
          labels: staticPod.labels,
          name: staticPod.name,
          namespace: 'kube-system',
        },
        spec: {
          containers: [container],
          hostNetwork: true,
          priority: 2000001000,
          priorityClassName: 'system-node-critical',
          securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
        },
      },
    });
  }
  return out;
}

/**
 * Writes the manifests, each node's in <lab dir>/manifests/<node>/ (its kubelet's
 * --pod-manifest-path), replacing what an earlier lab left there. Each file appears whole (written
 * under a hidden name, then renamed: the kubelet skips hidden files).
 */
export function writeStaticPodManifests(dir: string, table: ProcessSpec[], topology: Topology): StaticPodManifest[] {
  const manifests = staticPodManifests(dir, table, topology);
  fs.rmSync(path.join(dir, 'manifests'), { recursive: true, force: true });
  for (const node of topology.nodes) fs.mkdirSync(paths.manifests(dir, node.name), { recursive: true });
  for (const { file, pod } of manifests) {
    const hidden = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
    // JSON (a subset of YAML, which kubeadm writes): the kubelets then need no YAML parser (~6 MB each).
    fs.writeFileSync(hidden, `${JSON.stringify(pod, null, 2)}\n`);
    fs.renameSync(hidden, file);
  }
  return manifests;
}
