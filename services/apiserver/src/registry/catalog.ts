import { apiservices } from './resources/apiservices';
import { configmaps } from './resources/configmaps';
import { controllerrevisions } from './resources/controllerrevisions';
import { daemonsets } from './resources/daemonsets';
import { deployments } from './resources/deployments';
import { endpoints } from './resources/endpoints';
import { endpointslices } from './resources/endpointslices';
import { events } from './resources/events';
import { eventsV1 } from './resources/events-v1';
import { horizontalpodautoscalers } from './resources/horizontalpodautoscalers';
import { horizontalpodautoscalersV1 } from './resources/horizontalpodautoscalers-v1';
import { leases } from './resources/leases';
import { namespaces } from './resources/namespaces';
import { nodes } from './resources/nodes';
import { pods } from './resources/pods';
import { priorityclasses } from './resources/priorityclasses';
import { replicasets } from './resources/replicasets';
import { selfSubjectAccessReviews, selfSubjectReviews, selfSubjectRulesReviews } from './resources/reviews';
import { secrets } from './resources/secrets';
import { serviceaccounts } from './resources/serviceaccounts';
import { services } from './resources/services';
import { statefulsets } from './resources/statefulsets';
import { groupVersion, type ResourceType } from './types';

/**
 * Every resource the apiserver serves. Adding one is a file in resources/ and a line here. The
 * order is discovery's: groups by first appearance, and a group's first version is preferred
 * (autoscaling/v2 before its autoscaling/v1 view).
 */
export const RESOURCES: readonly ResourceType[] = [
  namespaces,
  pods,
  services,
  endpoints,
  nodes,
  events,
  configmaps,
  secrets,
  serviceaccounts,
  apiservices,
  deployments,
  replicasets,
  daemonsets,
  statefulsets,
  controllerrevisions,
  eventsV1,
  horizontalpodautoscalers,
  horizontalpodautoscalersV1,
  leases,
  endpointslices,
  priorityclasses,
  selfSubjectAccessReviews,
  selfSubjectRulesReviews,
  selfSubjectReviews,
];

/** Finds a resource by group, version and plural name. */
export function lookup(group: string, version: string, resource: string): ResourceType | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.resource === resource);
}

/** The served group versions, core ("v1") first, as discovery lists them. */
export function groupVersions(): Array<{ group: string; version: string }> {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of RESOURCES) seen.set(groupVersion(r), { group: r.group, version: r.version });
  return [...seen.values()];
}
