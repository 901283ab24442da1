import { FieldError, FieldPath, forbidden, notSupported, OMIT_VALUE, required, validatePortNumber, validateProtocol } from '@kubelab/apimachinery';
import type { FieldErrorList } from '../../errors';
import { age, ageColumn, column, formatLabelMap, nameColumn } from '../printing';
import type { KubeObject, ResourceType } from '../types';

interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
  protocol?: string;
}
interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
  internalTrafficPolicy?: string;
  externalTrafficPolicy?: string;
  externalIPs?: string[];
  externalName?: string;
  ports?: ServicePort[];
  selector?: Record<string, string>;
}

function externalIP(service: KubeObject): string {
  const spec = (service.spec ?? {}) as ServiceSpec;
  const external = spec.externalIPs ?? [];
  switch (spec.type) {
    case 'LoadBalancer': {
      const ingress = ((service.status?.loadBalancer as { ingress?: Array<{ ip?: string; hostname?: string }> } | undefined)?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter(Boolean);
      const all = [...external, ...ingress];
      return ingress.length ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return external.length ? external.join(',') : '<none>';
  }
}

/** "80/TCP", "80:30001/TCP", joined with commas. */
export function formatServicePorts(ports: ServicePort[] | undefined): string {
  if (!ports?.length) return '<none>';
  return ports.map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`)).join(',');
}

function validateService(service: KubeObject): FieldErrorList {
  const spec = (service.spec ?? {}) as ServiceSpec;
  const errors: FieldErrorList = [];
  const types = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
  const path = FieldPath.of('spec');
  if (spec.type && !types.includes(spec.type)) errors.push(notSupported(path.child('type'), spec.type, types));
  if (spec.type !== 'ExternalName' && !spec.ports?.length) errors.push(required(path.child('ports')));
  spec.ports?.forEach((p, i) => {
    errors.push(...validatePortNumber(path.child('ports').index(i).child('port'), p.port));
    if (p.protocol !== undefined) errors.push(...validateProtocol(path.child('ports').index(i).child('protocol'), p.protocol));
    if (spec.type === 'ClusterIP' && p.nodePort) errors.push(forbidden(path.child('ports').index(i).child('nodePort'), "may not be used when `type` is 'ClusterIP'"));
  });
  return errors;
}

/** validateUpgradeDowngradeClusterIPs (single-stack): the ClusterIP a Service has may not change. */
function validateServiceUpdate(service: KubeObject, old: KubeObject): FieldErrorList {
  const spec = (service.spec ?? {}) as ServiceSpec;
  const before = (old.spec ?? {}) as ServiceSpec;
  if (!needsClusterIP(spec) || !needsClusterIP(before) || (isHeadless(spec) && isHeadless(before))) return [];
  const now = spec.clusterIPs ?? [];
  const was = before.clusterIPs ?? [];
  const at = (i: number, detail: string) => new FieldError('FieldValueInvalid', `spec.clusterIPs[${i}]`, OMIT_VALUE, `${goStrings(spec.clusterIPs)}: ${detail}`);
  const errors: FieldErrorList = [];
  if (was.length === now.length) {
    was.forEach((ip, i) => {
      if (ip !== now[i]) errors.push(at(i, 'may not change once set'));
    });
  } else if (now.length === 0) {
    errors.push(at(0, 'primary clusterIP can not be unset'));
  } else if (was.length > 0 && now[0] !== was[0]) {
    errors.push(at(0, 'may not change once set'));
  }
  return errors;
}

/** A list of strings as Go's %#v prints it, which is how Kubernetes quotes ClusterIPs. */
function goStrings(list: string[] | undefined): string {
  return list ? `[]string{${list.map((s) => JSON.stringify(s)).join(', ')}}` : '[]string(nil)';
}

const needsClusterIP = (spec: ServiceSpec) => spec.type !== 'ExternalName';
const needsNodePort = (spec: ServiceSpec) => spec.type === 'NodePort' || spec.type === 'LoadBalancer';
const isHeadless = (spec: ServiceSpec) => spec.clusterIPs?.length === 1 && spec.clusterIPs[0] === 'None';
const sameStrings = (a: string[] | undefined, b: string[] | undefined) => (a ?? []).length === (b ?? []).length && (a ?? []).every((s, i) => s === b![i]);
const clusterIPOf = (spec: ServiceSpec) => spec.clusterIP ?? '';
const sameClusterIPs = (a: ServiceSpec, b: ServiceSpec) => clusterIPOf(a) === clusterIPOf(b) && sameStrings(a.clusterIPs, b.clusterIPs);
const nodePortsOf = (spec: ServiceSpec) => new Set((spec.ports ?? []).map((p) => p.nodePort).filter((n): n is number => Boolean(n)));

/** SetDefaults_Service, on create and on every update. */
function defaultService(service: KubeObject): void {
  const spec = (service.spec ??= {}) as ServiceSpec & Record<string, unknown>;
  spec.type ||= 'ClusterIP';
  spec.sessionAffinity ||= 'None';
  if (spec.type !== 'ExternalName') {
    spec.ipFamilies ??= ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
    spec.internalTrafficPolicy ||= 'Cluster';
  }
  if (needsNodePort(spec)) spec.externalTrafficPolicy ||= 'Cluster';
  for (const p of spec.ports ?? []) {
    p.protocol ||= 'TCP';
    // SetDefaults_Service: a missing, 0 or "" targetPort is the port.
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
}

/**
 * patchAllocatedValues: a client that resubmits its manifest (`kubectl replace`, a PUT of what it
 * read) need not repeat the ClusterIP and node ports the apiserver allocated; they are kept.
 */
function patchAllocatedValues(spec: ServiceSpec, old: ServiceSpec): void {
  if (needsClusterIP(old) && needsClusterIP(spec)) {
    if (!spec.clusterIP && old.clusterIP) spec.clusterIP = old.clusterIP;
    if (!spec.clusterIPs?.length && old.clusterIPs?.length) spec.clusterIPs = [...old.clusterIPs];
  }
  if (needsNodePort(old) && needsNodePort(spec)) {
    // Ports in both the old and the new Service cannot be given to another of its ports.
    const kept = nodePortsOf(spec);
    const used = new Set([...nodePortsOf(old)].filter((n) => kept.has(n)));
    // By name: the user may have changed the port's other fields.
    const byName = new Map((old.ports ?? []).map((p) => [p.name ?? '', p.nodePort]));
    for (const port of spec.ports ?? []) {
      const previous = byName.get(port.name ?? '');
      if (!port.nodePort && previous && !used.has(previous)) port.nodePort = previous;
    }
  }
}

/** NormalizeClusterIPs on update: clusterIP and clusterIPs kept in step, as the client meant them. */
function normalizeClusterIPs(spec: ServiceSpec, old: ServiceSpec): void {
  // A client that knows only clusterIP, and did not change it.
  if (old.clusterIPs?.length && !spec.clusterIPs?.length && clusterIPOf(old) === clusterIPOf(spec)) spec.clusterIPs = [...old.clusterIPs];
  if (clusterIPOf(old) === clusterIPOf(spec)) return;
  if (clusterIPOf(old) && !clusterIPOf(spec)) {
    // Clearing clusterIP clears clusterIPs too, if they were left as they were.
    if (sameStrings(old.clusterIPs, spec.clusterIPs)) delete spec.clusterIPs;
  } else if (sameStrings(old.clusterIPs, spec.clusterIPs)) {
    spec.clusterIPs = [clusterIPOf(spec)];
  }
}

/**
 * dropTypeDependentFields: a change of type releases what the old type had and the new one does
 * not use (ClusterIPs, node ports, traffic policies), unless the client also changed them (then
 * validation answers).
 */
function dropTypeDependentFields(spec: ServiceSpec, old: ServiceSpec): void {
  if (needsClusterIP(old) && !needsClusterIP(spec)) {
    if (sameClusterIPs(old, spec)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (sameStrings(old.ipFamilies, spec.ipFamilies)) delete spec.ipFamilies;
    if ((old.ipFamilyPolicy ?? '') === (spec.ipFamilyPolicy ?? '')) delete spec.ipFamilyPolicy;
    if ((old.internalTrafficPolicy ?? '') === (spec.internalTrafficPolicy ?? '')) delete spec.internalTrafficPolicy;
  }
  if (needsNodePort(old) && !needsNodePort(spec)) {
    // Unless a node port was added: the client may remove or change ports, not add node ports.
    const before = nodePortsOf(old);
    if ([...nodePortsOf(spec)].every((n) => before.has(n))) for (const port of spec.ports ?? []) delete port.nodePort;
    if ((old.externalTrafficPolicy ?? '') === (spec.externalTrafficPolicy ?? '')) delete spec.externalTrafficPolicy;
  }
}

export const services: ResourceType = {
  group: '',
  version: 'v1',
  kind: 'Service',
  resource: 'services',
  singular: 'service',
  shortNames: ['svc'],
  categories: ['all'],
  namespaced: true,
  storagePath: 'services/specs',
  subresources: ['status', 'proxy'],
  strategy: {
    prepareForCreate(service) {
      defaultService(service);
      service.status = { loadBalancer: {} };
    },
    // What the allocator gave is kept, what a new type does not use released (the allocator,
    // which runs after validation, allocates what the new type needs).
    prepareForUpdate(service, old) {
      defaultService(service);
      service.status = old.status;
      const spec = service.spec as ServiceSpec;
      const before = (old.spec ?? {}) as ServiceSpec;
      patchAllocatedValues(spec, before);
      normalizeClusterIPs(spec, before);
      dropTypeDependentFields(spec, before);
    },
    validate: validateService,
    validateUpdate: validateServiceUpdate,
  },
  printer: {
    columns: [
      nameColumn,
      column('Type', 'string', 'type determines how the Service is exposed.'),
      column('Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
      column('External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
      column('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
      ageColumn,
      column('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.', 1),
    ],
    row(service, now) {
      const spec = (service.spec ?? {}) as ServiceSpec;
      const clusterIP = spec.clusterIPs?.length ? spec.clusterIPs.join(',') : spec.clusterIP || '<none>';
      return [service.metadata.name, spec.type, clusterIP, externalIP(service), formatServicePorts(spec.ports), age(service.metadata.creationTimestamp, now), formatLabelMap(spec.selector)];
    },
  },
};
