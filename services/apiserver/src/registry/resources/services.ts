import { FieldPath, notSupported, required, validatePortNumber, validateProtocol } from '@kubelab/apimachinery';
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
  });
  return errors;
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
      const spec = (service.spec ??= {}) as ServiceSpec & Record<string, unknown>;
      spec.type ||= 'ClusterIP';
      spec.sessionAffinity ||= 'None';
      if (spec.type !== 'ExternalName') {
        spec.ipFamilies ??= ['IPv4'];
        spec.ipFamilyPolicy ??= 'SingleStack';
        spec.internalTrafficPolicy ||= 'Cluster';
      }
      if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ||= 'Cluster';
      for (const p of spec.ports ?? []) {
        p.protocol ||= 'TCP';
        // SetDefaults_Service: a missing, 0 or "" targetPort is the port.
        if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
      }
      service.status = { loadBalancer: {} };
    },
    prepareForUpdate(service, old) {
      service.status = old.status;
    },
    validate: validateService,
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
