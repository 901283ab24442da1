import type { KubeObject } from '@kubelab/client';
import type { NodeSelectorRequirement, NodeSelectorTerm, Taint, Toleration } from '@kubelab/component-helpers';

let uids = 0;

type Resources = Record<string, string>;

/** spec.affinity.podAffinity / podAntiAffinity term, as the API has it. */
export interface PodAffinityTerm {
  labelSelector?: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> } | null;
  topologyKey: string;
  namespaces?: string[];
  namespaceSelector?: { matchLabels?: Record<string, string> } | null;
  matchLabelKeys?: string[];
}

/**
 * Fixture builders for plugin and scheduler tests, after Kubernetes' st.MakePod() / st.MakeNode():
 * `pod('web').req({ cpu: '500m' }).nodeSelector({ disktype: 'ssd' }).obj()`.
 */
export class PodBuilder {
  private readonly pod: KubeObject & { spec: Record<string, unknown>; status: Record<string, unknown> };

  constructor(name: string) {
    this.pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', uid: `uid-${name}-${++uids}`, labels: {} },
      spec: { schedulerName: 'default-scheduler', containers: [] },
      status: { phase: 'Pending' },
    };
  }

  namespace(namespace: string): this {
    this.pod.metadata.namespace = namespace;
    return this;
  }

  labels(labels: Record<string, string>): this {
    Object.assign(this.pod.metadata.labels!, labels);
    return this;
  }

  priority(priority: number): this {
    this.pod.spec.priority = priority;
    return this;
  }

  /** Adds a container with these requests. */
  req(requests: Resources): this {
    (this.pod.spec.containers as unknown[]).push({ name: `c${(this.pod.spec.containers as unknown[]).length}`, image: 'nginx', resources: { requests } });
    return this;
  }

  /** Adds an init container with these requests (`sidecar`: restartPolicy Always). */
  initReq(requests: Resources, sidecar = false): this {
    const inits = ((this.pod.spec.initContainers as unknown[] | undefined) ??= []);
    inits.push({ name: `init${inits.length}`, image: 'busybox', resources: { requests }, ...(sidecar ? { restartPolicy: 'Always' } : {}) });
    return this;
  }

  hostPort(hostPort: number, protocol = 'TCP', hostIP?: string): this {
    (this.pod.spec.containers as unknown[]).push({ name: `p${hostPort}`, image: 'nginx', ports: [{ containerPort: hostPort, hostPort, protocol, ...(hostIP ? { hostIP } : {}) }] });
    return this;
  }

  nodeSelector(selector: Record<string, string>): this {
    this.pod.spec.nodeSelector = selector;
    return this;
  }

  /** Required node affinity: ORed terms. */
  requiredTerms(...terms: NodeSelectorTerm[]): this {
    this.nodeAffinity().requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: terms };
    return this;
  }

  /** A required term of one expression, the common case. */
  nodeAffinity(): Record<string, unknown>;
  nodeAffinity(key: string, operator: NodeSelectorRequirement['operator'], values?: string[]): this;
  nodeAffinity(key?: string, operator?: string, values?: string[]): this | Record<string, unknown> {
    const affinity = ((this.pod.spec.affinity as Record<string, Record<string, unknown>> | undefined) ??= {});
    const nodeAffinity = (affinity.nodeAffinity ??= {});
    if (key === undefined) return nodeAffinity;
    return this.requiredTerms({ matchExpressions: [{ key, operator: operator!, ...(values ? { values } : {}) }] });
  }

  preferred(weight: number, preference: NodeSelectorTerm): this {
    const na = this.nodeAffinity();
    ((na.preferredDuringSchedulingIgnoredDuringExecution as unknown[] | undefined) ??= []).push({ weight, preference });
    return this;
  }

  /** A required pod anti-affinity term (`podAntiAffinity`) or affinity term (`podAffinity`). */
  podAffinityTerm(kind: 'podAffinity' | 'podAntiAffinity', term: PodAffinityTerm): this {
    const affinity = ((this.pod.spec.affinity as Record<string, Record<string, unknown[]>> | undefined) ??= {});
    ((affinity[kind] ??= {}).requiredDuringSchedulingIgnoredDuringExecution ??= []).push(term);
    return this;
  }

  /** A preferred pod affinity (`podAffinity`) or anti-affinity (`podAntiAffinity`) term. */
  preferredPodAffinityTerm(kind: 'podAffinity' | 'podAntiAffinity', weight: number, term: PodAffinityTerm): this {
    const affinity = ((this.pod.spec.affinity as Record<string, Record<string, unknown[]>> | undefined) ??= {});
    ((affinity[kind] ??= {}).preferredDuringSchedulingIgnoredDuringExecution ??= []).push({ weight, podAffinityTerm: term });
    return this;
  }

  toleration(toleration: Toleration): this {
    ((this.pod.spec.tolerations as unknown[] | undefined) ??= []).push(toleration);
    return this;
  }

  schedulerName(name: string): this {
    this.pod.spec.schedulerName = name;
    return this;
  }

  nodeName(name: string): this {
    this.pod.spec.nodeName = name;
    return this;
  }

  nominatedNodeName(name: string): this {
    this.pod.status.nominatedNodeName = name;
    return this;
  }

  obj(): KubeObject {
    return structuredClone(this.pod);
  }
}

export class NodeBuilder {
  private readonly node: KubeObject & { spec: Record<string, unknown>; status: Record<string, unknown> };

  constructor(name: string) {
    this.node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, uid: `uid-${name}-${++uids}`, labels: { 'kubernetes.io/hostname': name } },
      spec: {},
      status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
    };
  }

  labels(labels: Record<string, string>): this {
    Object.assign(this.node.metadata.labels!, labels);
    return this;
  }

  /** status.allocatable (and capacity), replacing the default 4 cpu / 8Gi / 110 pods. */
  allocatable(resources: Resources): this {
    this.node.status.allocatable = { ...resources };
    this.node.status.capacity = { ...resources };
    return this;
  }

  taint(key: string, value: string | undefined, effect: Taint['effect']): this {
    ((this.node.spec.taints as Taint[] | undefined) ??= []).push({ key, ...(value === undefined ? {} : { value }), effect });
    return this;
  }

  unschedulable(): this {
    this.node.spec.unschedulable = true;
    return this;
  }

  obj(): KubeObject {
    return structuredClone(this.node);
  }
}

export const pod = (name: string) => new PodBuilder(name);
export const node = (name: string) => new NodeBuilder(name);
