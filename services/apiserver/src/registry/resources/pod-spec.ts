import { canonicalizeResources, type Resources } from './resources';

/**
 * The defaults of every pod spec, a pod's own or a workload's template (Kubernetes'
 * SetDefaults_PodSpec and SetDefaults_Container, with their probes, ports and fieldRefs), with
 * resource amounts made canonical. As the Go defaulters, an empty string (Go's unset) is defaulted too.
 */
export function defaultPodSpec(spec: Record<string, unknown>): void {
  spec.restartPolicy ||= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ||= 'ClusterFirst';
  spec.schedulerName ||= 'default-scheduler';
  spec.securityContext ??= {};
  for (const c of [...((spec.initContainers as Array<Record<string, unknown>>) ?? []), ...((spec.containers as Array<Record<string, unknown>>) ?? []), ...((spec.ephemeralContainers as Array<Record<string, unknown>>) ?? [])]) defaultContainer(c);
  // The downward API's other ObjectFieldSelectors: downwardAPI volumes, and projected ones.
  type Items = { items?: Array<{ fieldRef?: Record<string, unknown> }> };
  for (const volume of (spec.volumes as Array<{ downwardAPI?: Items; projected?: { sources?: Array<{ downwardAPI?: Items }> } }>) ?? []) {
    const lists = [volume?.downwardAPI, ...(volume?.projected?.sources ?? []).map((source) => source?.downwardAPI)];
    for (const list of lists) for (const item of list?.items ?? []) defaultFieldRef(item?.fieldRef);
  }
}

/**
 * SetDefaults_Pod's part for resources: a container's missing request is its limit, resource by
 * resource (`limits: {memory: 512Mi}` alone requests 512Mi). A Pod's only, not a template's:
 * `kubectl describe pod` then shows the requests the scheduler and the kubelet count.
 */
export function defaultRequestsFromLimits(spec: Record<string, unknown>): void {
  for (const c of [...((spec.initContainers as Array<Record<string, unknown>>) ?? []), ...((spec.containers as Array<Record<string, unknown>>) ?? [])]) {
    const resources = c?.resources as Resources | undefined;
    if (!resources?.limits || typeof resources.limits !== 'object') continue;
    const requests = (resources.requests ??= {});
    for (const [name, value] of Object.entries(resources.limits)) requests[name] ??= value;
  }
}

/** SetDefaults_Container (and its probes, ports, hooks and fieldRefs), for every kind of container. */
export function defaultContainer(c: Record<string, unknown>): void {
  c.imagePullPolicy ||= String(c.image ?? '').endsWith(':latest') || !String(c.image ?? '').includes(':') ? 'Always' : 'IfNotPresent';
  c.terminationMessagePath ||= '/dev/termination-log';
  c.terminationMessagePolicy ||= 'File';
  c.resources ??= {};
  canonicalizeResources(c.resources as Resources);
  for (const port of (c.ports as Array<Record<string, unknown>>) ?? []) port.protocol ||= 'TCP';
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) if (c[probe]) defaultProbe(c[probe] as Record<string, unknown>);
  const lifecycle = c.lifecycle as Record<string, { httpGet?: Record<string, unknown> } | undefined> | undefined;
  for (const hook of ['postStart', 'preStop']) defaultHTTPGetAction(lifecycle?.[hook]?.httpGet);
  for (const env of (c.env as Array<{ valueFrom?: { fieldRef?: Record<string, unknown> } }>) ?? []) defaultFieldRef(env?.valueFrom?.fieldRef);
}

/** SetDefaults_ObjectFieldSelector: a fieldRef's apiVersion is "v1" unless given. */
function defaultFieldRef(fieldRef: Record<string, unknown> | undefined): void {
  if (fieldRef && typeof fieldRef === 'object' && !fieldRef.apiVersion) fieldRef.apiVersion = 'v1';
}

/** SetDefaults_Probe and SetDefaults_HTTPGetAction: what `kubectl describe pod` then prints as delay=, timeout=, #success=... */
function defaultProbe(probe: Record<string, unknown>): void {
  // As the Go defaulters, a zero (Go's unset) is defaulted too.
  probe.timeoutSeconds ||= 1;
  probe.periodSeconds ||= 10;
  probe.successThreshold ||= 1;
  probe.failureThreshold ||= 3;
  defaultHTTPGetAction(probe.httpGet as Record<string, unknown> | undefined);
}

/** SetDefaults_HTTPGetAction, for a probe's action and a lifecycle hook's alike. */
function defaultHTTPGetAction(httpGet: Record<string, unknown> | undefined): void {
  if (httpGet && typeof httpGet === 'object') {
    httpGet.path ||= '/';
    httpGet.scheme ||= 'HTTP';
  }
}
