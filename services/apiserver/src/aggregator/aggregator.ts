import type * as http from 'node:http';
import { isNotFound } from '@kubelab/apimachinery';
import type { Logger } from '@kubelab/component-base';
import { ApiError } from '../errors';
import type { AggregatedGroupVersion } from '../endpoints/discovery';
import { groupVersions } from '../registry/catalog';
import type { GenericRegistry } from '../registry/generic-registry';
import { timestamp } from '../registry/object-meta';
import { apiServiceSpec, apiservices, availableCondition, type APIServiceCondition } from '../registry/resources/apiservices';
import { endpoints } from '../registry/resources/endpoints';
import { services } from '../registry/resources/services';
import type { KubeObject } from '../registry/types';
import { inform } from './informer';
import { forward, probe, type Backend } from './proxy';

/** The lab's override of where an APIService's server is: `kubelab.dev/backend: http://127.0.0.1:PORT`. */
export const BACKEND_ANNOTATION = 'kubelab.dev/backend';

/**
 * Group and version priorities of the local group versions' APIServices, from kube-apiserver's
 * table (cmd/kube-apiserver/app/aggregator.go); others get 15000/15.
 */
const PRIORITIES: Record<string, [group: number, version: number]> = {
  v1: [18000, 1],
  'apiregistration.k8s.io/v1': [18000, 15],
  'apps/v1': [17800, 15],
  'events.k8s.io/v1': [17750, 15],
  'autoscaling/v2': [17500, 30],
  'autoscaling/v1': [17500, 15],
  'scheduling.k8s.io/v1': [16600, 15],
  'coordination.k8s.io/v1': [16500, 15],
  'discovery.k8s.io/v1': [16200, 15],
};

type Condition = Omit<APIServiceCondition, 'type' | 'lastTransitionTime'>;

const LOCAL: Condition = { status: 'True', reason: 'Local', message: 'Local APIServices are always available' };
const PASSED: Condition = { status: 'True', reason: 'Passed', message: 'all checks passed' };

export interface AggregatorOptions {
  registry: GenericRegistry;
  log: Logger;
  /** How often every APIService is checked again, besides on each change (kube-aggregator: 30 s). */
  checkIntervalMs: number;
  /** How long the discovery check waits for the backend (kube-aggregator: 5 s). */
  probeTimeoutMs?: number;
}

/**
 * kube-aggregator inside the apiserver: APIServices (apiregistration.k8s.io/v1) say which
 * server serves a group version. Local ones (this apiserver's group versions, registered at
 * start) are always Available; for one with `spec.service`, requests under
 * `/apis/<group>/<version>` are proxied to the Service's backend, discovery lists the group
 * version, and an availability check (on every change of the APIService, its Service or its
 * Endpoints, and every `checkIntervalMs`) keeps `status.conditions` Available True or False
 * with Kubernetes' reasons and messages.
 *
 * There is no kube-proxy yet, so a Service is reached through its Endpoints (as kube-apiserver's
 * --enable-aggregator-routing does): the first ready address, with the port the Service's
 * `spec.service.port` names; or, for a Service without that port, the Endpoints port with that
 * number (443: the first port). The annotation `kubelab.dev/backend: http://127.0.0.1:PORT`
 * on the APIService skips all that and names the backend directly.
 */
export class Aggregator {
  private readonly apiServices = new Map<string, KubeObject>();
  private readonly informers: Array<{ synced: Promise<void>; stop(): void }> = [];
  private readonly running = new Set<string>();
  private readonly again = new Set<string>();
  private readonly exchanges = new Set<() => void>();
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly options: AggregatorOptions) {}

  /** Starts following APIServices, Services and Endpoints; resolves once APIServices are known. */
  async start(): Promise<void> {
    const { registry, log } = this.options;
    const apis = inform(registry.store, apiservices, log, {
      replace: (items) => {
        this.apiServices.clear();
        for (const item of items) this.apiServices.set(item.metadata.name!, item);
        for (const name of this.apiServices.keys()) this.enqueue(name);
      },
      event: ({ type, object, previous }) => {
        const name = object.metadata.name!;
        if (type === 'DELETED') {
          this.apiServices.delete(name);
          return;
        }
        this.apiServices.set(name, object);
        // A status write of ours comes back here: check again only if what is checked changed.
        if (!previous || JSON.stringify(previous.spec) !== JSON.stringify(object.spec) || previous.metadata.annotations?.[BACKEND_ANNOTATION] !== object.metadata.annotations?.[BACKEND_ANNOTATION]) this.enqueue(name);
      },
    });
    const onServiceChange = (object: KubeObject) => {
      for (const [name, api] of this.apiServices) {
        const service = apiServiceSpec(api).service;
        if (service && service.namespace === object.metadata.namespace && service.name === object.metadata.name) this.enqueue(name);
      }
    };
    const follow = (items: KubeObject[]) => items.forEach(onServiceChange);
    this.informers.push(
      apis,
      inform(registry.store, services, log, { replace: follow, event: (e) => onServiceChange(e.object) }),
      inform(registry.store, endpoints, log, { replace: follow, event: (e) => onServiceChange(e.object) }),
    );
    await apis.synced;
    this.timer = setInterval(() => this.apiServices.forEach((_, name) => this.enqueue(name)), this.options.checkIntervalMs);
    this.timer.unref();
    void this.registerLocal();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    for (const informer of this.informers) informer.stop();
    for (const cut of this.exchanges) cut();
  }

  /** The group versions other servers serve (APIServices with a service), for discovery. */
  aggregated(): AggregatedGroupVersion[] {
    return [...this.apiServices.values()]
      .filter((api) => apiServiceSpec(api).service)
      .map((api) => {
        const spec = apiServiceSpec(api);
        return { group: spec.group ?? '', version: spec.version ?? '', groupPriorityMinimum: spec.groupPriorityMinimum ?? 0, versionPriority: spec.versionPriority ?? 0 };
      });
  }

  /** The APIService that sends `/apis/<group>/<version>[/...]` elsewhere, if one does. */
  remoteFor(pathname: string): KubeObject | undefined {
    const match = /^\/apis\/([^/]+)\/([^/]+)(?:\/|$)/.exec(pathname);
    if (!match) return undefined;
    const api = this.apiServices.get(`${decodeURIComponent(match[2]!)}.${decodeURIComponent(match[1]!)}`);
    return api && apiServiceSpec(api).service ? api : undefined;
  }

  /**
   * Proxies a request to the APIService's server (kube-aggregator's proxyHandler): 503
   * "service unavailable" unless the APIService is Available, or its backend cannot be resolved.
   */
  async proxy(api: KubeObject, req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const name = api.metadata.name!;
    const backend = availableCondition(api)?.status === 'True' ? await this.resolve(api).catch(() => undefined) : undefined;
    if (!backend || 'condition' in backend) {
      const text = 'service unavailable\n';
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    const cut = forward(backend, req, res, url.pathname + url.search, (error) => {
      this.options.log.warn({ apiService: name, err: error.message }, 'error proxying to the APIService backend');
      this.enqueue(name); // the backend may be gone: check now, not at the next tick
    });
    this.exchanges.add(cut);
    res.on('close', () => this.exchanges.delete(cut));
  }

  /** Runs one APIService's check, or (if one is running) once more after it. */
  private enqueue(name: string): void {
    if (this.stopped) return;
    if (this.running.has(name)) {
      this.again.add(name);
      return;
    }
    this.running.add(name);
    void this.check(name)
      .catch((error: unknown) => this.options.log.warn({ apiService: name, err: (error as Error).message }, 'APIService check failed'))
      .finally(() => {
        this.running.delete(name);
        if (this.again.delete(name)) this.enqueue(name);
      });
  }

  /** kube-aggregator's AvailableConditionController (remote) and local controller, for one APIService. */
  private async check(name: string): Promise<void> {
    const api = this.apiServices.get(name);
    if (!api) return;
    const spec = apiServiceSpec(api);
    let condition: Condition;
    if (!spec.service) {
      condition = LOCAL;
    } else {
      const backend = await this.resolve(api);
      if ('condition' in backend) {
        condition = backend.condition;
      } else {
        const path = name === 'v1.' ? `/api/${spec.version}` : `/apis/${spec.group}/${spec.version}`;
        const url = new URL(path, backend.url).toString();
        condition = await probe(backend, path, this.options.probeTimeoutMs ?? 5_000, { 'X-Remote-User': 'system:kube-aggregator', 'X-Remote-Group': 'system:masters' }).then(
          (code) => (code >= 200 && code < 300 ? PASSED : failed(`failing or missing response from ${url}: bad status from ${url}: ${code}`)),
          (error: Error) => failed(`failing or missing response from ${url}: ${error.message}`),
        );
      }
    }
    if (this.stopped) return;
    await this.setCondition(name, condition);
  }

  /** Where the APIService's server is, or why it cannot be reached (the condition to report). */
  private async resolve(api: KubeObject): Promise<Backend | { condition: Condition }> {
    const spec = apiServiceSpec(api);
    const ref = spec.service!;
    const caBundle = spec.caBundle ? Buffer.from(spec.caBundle, 'base64').toString() : undefined;
    const tls = { ca: caBundle, insecure: Boolean(spec.insecureSkipTLSVerify) || !caBundle };
    const override = api.metadata.annotations?.[BACKEND_ANNOTATION];
    if (override) {
      try {
        return { url: new URL(override), ...tls };
      } catch {
        return { condition: failed(`failing or missing response from ${override}: parse ${JSON.stringify(override)}: invalid URL`) };
      }
    }
    const id = `service/${ref.name} in ${JSON.stringify(ref.namespace)}`;
    const port = ref.port ?? 443;
    const service = await this.read(services, ref.namespace!, ref.name!);
    if (!service) return { condition: { status: 'False', reason: 'ServiceNotFound', message: `${id} is not present` } };
    const serviceSpec = (service.spec ?? {}) as { type?: string; externalName?: string; ports?: Array<{ name?: string; port: number }> };
    if (serviceSpec.type === 'ExternalName') return { url: new URL(`http://${serviceSpec.externalName}:${port}`), ...tls };
    const servicePort = serviceSpec.ports?.find((p) => p.port === port);
    const eps = await this.read(endpoints, ref.namespace!, ref.name!);
    const subsets = (eps?.subsets ?? []) as Array<{ addresses?: Array<{ ip: string }>; ports?: Array<{ name?: string; port: number }> }>;
    if (!servicePort) {
      // kubelab: a Service that does not list the port is reached at the Endpoints port of that number (443: the first).
      for (const subset of subsets) {
        const p = subset.ports?.find((candidate) => candidate.port === port) ?? (port === 443 ? subset.ports?.[0] : undefined);
        if (p && subset.addresses?.length) return { url: new URL(`http://${hostPort(subset.addresses[0]!.ip, p.port)}`), ...tls };
      }
      return { condition: { status: 'False', reason: 'ServicePortError', message: `${id} is not listening on port ${port}` } };
    }
    if (!eps) return { condition: { status: 'False', reason: 'EndpointsNotFound', message: `cannot find endpoints for ${id}` } };
    const portName = servicePort.name ?? '';
    for (const subset of subsets) {
      const p = subset.ports?.find((candidate) => (candidate.name ?? '') === portName);
      if (p && subset.addresses?.length) return { url: new URL(`http://${hostPort(subset.addresses[0]!.ip, p.port)}`), ...tls };
    }
    return { condition: { status: 'False', reason: 'MissingEndpoints', message: `endpoints for ${id} have no addresses with port name ${JSON.stringify(portName)}` } };
  }

  private async read(type: typeof services, namespace: string, name: string): Promise<KubeObject | undefined> {
    try {
      return await this.options.registry.store.get(type, namespace, name);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Kubernetes' SetAPIServiceCondition + updateAPIServiceStatus: a write only when something changed. */
  private async setCondition(name: string, condition: Condition): Promise<void> {
    const before = availableCondition(this.apiServices.get(name) ?? { metadata: {} });
    if (before && before.status === condition.status && before.reason === condition.reason && before.message === condition.message) return;
    try {
      await this.options.registry.update(
        apiservices,
        undefined,
        name,
        (current) => {
          const conditions = [...(((current.status?.conditions as APIServiceCondition[] | undefined) ?? []))];
          const at = conditions.findIndex((c) => c.type === 'Available');
          const existing = conditions[at];
          if (!existing) {
            conditions.push({ type: 'Available', status: condition.status, lastTransitionTime: timestamp(), reason: condition.reason, message: condition.message });
          } else {
            const changed = existing.status !== condition.status;
            conditions[at] = { type: 'Available', status: condition.status, lastTransitionTime: changed ? timestamp() : existing.lastTransitionTime, reason: condition.reason, message: condition.message };
          }
          return { ...current, metadata: { ...current.metadata, resourceVersion: undefined }, status: { ...current.status, conditions } };
        },
        { subresource: 'status' },
      );
      if (before?.status !== condition.status) this.options.log.info({ apiService: name, status: condition.status, reason: condition.reason, message: condition.message }, 'APIService availability changed');
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
  }

  /** kube-aggregator's autoregister: an APIService for each group version this apiserver serves. */
  private async registerLocal(): Promise<void> {
    for (const { group, version } of groupVersions()) {
      const name = `${version}.${group}`;
      if (this.stopped || this.apiServices.has(name)) continue;
      const [groupPriorityMinimum, versionPriority] = PRIORITIES[group ? `${group}/${version}` : version] ?? [15000, 15];
      try {
        await this.options.registry.create(apiservices, undefined, {
          metadata: { name, labels: { 'kube-aggregator.kubernetes.io/automanaged': 'onstart' } },
          spec: { service: null, group, version, groupPriorityMinimum, versionPriority },
        });
      } catch (error) {
        if (!(error instanceof ApiError && error.status.code === 409)) this.options.log.warn({ apiService: name, err: (error as Error).message }, 'could not register a local APIService');
      }
    }
  }
}

function failed(message: string): Condition {
  return { status: 'False', reason: 'FailedDiscoveryCheck', message };
}

function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}
