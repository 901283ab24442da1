import { FieldPath, invalid, isDNS1035Label, isDNS1123Subdomain, required } from '@kubelab/apimachinery';
import type { FieldErrorList } from '../../errors';
import { age, ageColumn, column, nameColumn } from '../printing';
import type { KubeObject, ResourceType } from '../types';

/** APIService.spec (apiregistration.k8s.io/v1). */
export interface APIServiceSpec {
  service?: { namespace?: string; name?: string; port?: number } | null;
  group?: string;
  version?: string;
  insecureSkipTLSVerify?: boolean;
  caBundle?: string;
  groupPriorityMinimum?: number;
  versionPriority?: number;
}

export interface APIServiceCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export function apiServiceSpec(object: KubeObject): APIServiceSpec {
  return (object.spec ?? {}) as APIServiceSpec;
}

export function availableCondition(object: KubeObject): APIServiceCondition | undefined {
  return ((object.status?.conditions as APIServiceCondition[] | undefined) ?? []).find((c) => c.type === 'Available');
}

/** kube-aggregator's ValidateAPIService. */
function validate(object: KubeObject): FieldErrorList {
  const spec = apiServiceSpec(object);
  const errors: FieldErrorList = [];
  const requiredName = `${spec.version ?? ''}.${spec.group ?? ''}`;
  const name = object.metadata.name ?? '';
  // The path-segment rules are object-meta's (NAME_RULES); the name must also be version.group.
  if (name && name !== requiredName) errors.push(invalid(FieldPath.of('metadata', 'name'), name, `must be \`spec.version+"."+spec.group\`: ${JSON.stringify(requiredName)}`));
  if (!spec.group && spec.version !== 'v1') errors.push(required(FieldPath.of('spec', 'group'), 'only v1 may have an empty group and it better be legacy kube'));
  if (spec.group) for (const msg of isDNS1123Subdomain(spec.group)) errors.push(invalid(FieldPath.of('spec', 'group'), spec.group, msg));
  for (const msg of isDNS1035Label(spec.version ?? '')) errors.push(invalid(FieldPath.of('spec', 'version'), spec.version ?? '', msg));
  const groupPriority = spec.groupPriorityMinimum ?? 0;
  if (groupPriority <= 0 || groupPriority > 20000) errors.push(invalid(FieldPath.of('spec', 'groupPriorityMinimum'), groupPriority, 'must be positive and less than 20000'));
  const versionPriority = spec.versionPriority ?? 0;
  if (versionPriority <= 0 || versionPriority > 1000) errors.push(invalid(FieldPath.of('spec', 'versionPriority'), versionPriority, 'must be positive and less than 1000'));
  const caBundle = spec.caBundle ?? '';
  if (!spec.service) {
    if (caBundle) errors.push(invalid(FieldPath.of('spec', 'caBundle'), `${Buffer.from(caBundle, 'base64').length} bytes`, 'local APIServices may not have a caBundle'));
    if (spec.insecureSkipTLSVerify) errors.push(invalid(FieldPath.of('spec', 'insecureSkipTLSVerify'), true, 'local APIServices may not have insecureSkipTLSVerify'));
    return errors;
  }
  if (!spec.service.namespace) errors.push(required(FieldPath.of('spec', 'service', 'namespace'), ''));
  if (!spec.service.name) errors.push(required(FieldPath.of('spec', 'service', 'name'), ''));
  if (spec.insecureSkipTLSVerify && caBundle) errors.push(invalid(FieldPath.of('spec', 'insecureSkipTLSVerify'), true, 'may not be true if caBundle is present'));
  return errors;
}

/** AVAILABLE as kubectl shows it: "True", or "False (FailedDiscoveryCheck)", or "Unknown" before any check. */
function availableColumn(object: KubeObject): string {
  const condition = availableCondition(object);
  if (!condition) return 'Unknown';
  if (condition.status === 'True' || !condition.reason) return condition.status;
  return `${condition.status} (${condition.reason})`;
}

/**
 * apiregistration.k8s.io/v1 APIServices: which server serves a group version. `spec.service`
 * unset is a local one (this apiserver); set, the aggregation layer (src/aggregator) proxies the
 * group version to that Service and keeps `status.conditions` Available up to date.
 */
export const apiservices: ResourceType = {
  group: 'apiregistration.k8s.io',
  version: 'v1',
  kind: 'APIService',
  resource: 'apiservices',
  singular: 'apiservice',
  categories: ['api-extensions'],
  namespaced: false,
  storagePath: 'apiregistration.k8s.io/apiservices',
  subresources: ['status'],
  strategy: {
    prepareForCreate(object) {
      const service = apiServiceSpec(object).service;
      if (service) service.port ??= 443; // SetDefaults_ServiceReference
      object.status = {};
    },
    prepareForUpdate(object, old) {
      const service = apiServiceSpec(object).service;
      if (service) service.port ??= 443;
      object.status = old.status;
    },
    validate,
  },
  printer: {
    columns: [
      nameColumn,
      column('Service', 'string', 'The reference to the service that hosts this API endpoint.'),
      column('Available', 'string', 'Whether this service is available.'),
      ageColumn,
    ],
    row(object, now) {
      const service = apiServiceSpec(object).service;
      return [object.metadata.name, service ? `${service.namespace ?? ''}/${service.name ?? ''}` : 'Local', availableColumn(object), age(object.metadata.creationTimestamp, now)];
    },
  },
};
