import { spawn } from 'node:child_process';
import * as http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@kubelab/component-base';
import { kubectl, startKubelabApiserver, startKubelabStore, tempDir, type ApiserverProcess, type ServerProcess } from '@kubelab/testkit';

/**
 * The three views and layers that are more than a resource: events.k8s.io/v1 and autoscaling/v1
 * (other versions of stored core/v1 Events and autoscaling/v2 HPAs), and the aggregation layer
 * (APIServices, proxying to a backend, discovery, availability) — with real processes and the
 * real kubectl, against a tiny metrics backend started here.
 */

/** The rows of a kubectl table as arrays of cells (columns split on runs of 2+ spaces). */
function table(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s{2,}/));
}

const NODE_METRICS = {
  kind: 'NodeMetricsList',
  apiVersion: 'metrics.k8s.io/v1beta1',
  metadata: {},
  items: [{ metadata: { name: 'node-1', creationTimestamp: '2026-01-01T00:00:00Z' }, timestamp: '2026-01-01T00:00:00Z', window: '10s', usage: { cpu: '250m', memory: '1Gi' } }],
};

/**
 * A metrics.k8s.io server as small as it gets, in its own process (kubectl runs synchronously
 * here, so a server in the test's own event loop could not answer it): discovery, a
 * NodeMetricsList, and a watch that streams. It prints its port, then each request as JSON.
 */
const BACKEND = `
const http = require('node:http');
const NODE_METRICS = ${JSON.stringify(NODE_METRICS)};
const server = http.createServer((req, res) => {
  console.log(JSON.stringify({ url: req.url, user: req.headers['x-remote-user'] }));
  const path = req.url.split('?')[0];
  const send = (body) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (path === '/apis/metrics.k8s.io/v1beta1' || path === '/apis/custom.metrics.k8s.io/v1beta2') {
    return send({
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: path.slice('/apis/'.length),
      resources: [
        { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
        { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
      ],
    });
  }
  if (path === '/apis/metrics.k8s.io/v1beta1/nodes' && req.url.includes('watch=true')) {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write(JSON.stringify({ type: 'ADDED', object: NODE_METRICS.items[0] }) + '\\n');
    const later = setTimeout(() => res.write(JSON.stringify({ type: 'MODIFIED', object: { ...NODE_METRICS.items[0], usage: { cpu: '300m', memory: '1Gi' } } }) + '\\n'), 200);
    res.on('close', () => clearTimeout(later));
    return;
  }
  if (path === '/apis/metrics.k8s.io/v1beta1/nodes' || path === '/apis/custom.metrics.k8s.io/v1beta2/nodes') return send(NODE_METRICS);
  res.writeHead(404, { 'Content-Type': 'text/plain' });
  res.end('404 page not found\\n');
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
`;

interface Backend {
  port: number;
  requests: Array<{ url: string; user?: string }>;
  stop(): Promise<void>;
}

async function startBackend(): Promise<Backend> {
  const child = spawn(process.execPath, ['-e', BACKEND], { stdio: ['ignore', 'pipe', 'inherit'] });
  const requests: Backend['requests'] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let buffered = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the backend exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const message = JSON.parse(line) as { port?: number; url?: string; user?: string };
        if (message.port) resolve(message.port);
        else requests.push({ url: message.url!, user: message.user });
      }
    });
  });
  return {
    port,
    requests,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** The lines of a watch, read for `ms` milliseconds. */
function watchLines(url: string, ms: number): Promise<Array<{ type: string; object: { metadata?: { name?: string }; usage?: { cpu?: string }; note?: string; message?: string; apiVersion?: string } }>> {
  return new Promise((resolve, reject) => {
    let text = '';
    const req = http.get(url, (res) => {
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      setTimeout(() => {
        req.destroy();
        try {
          resolve(text.split('\n').filter(Boolean).map((line) => JSON.parse(line)));
        } catch {
          reject(new Error(`not a watch (HTTP ${res.statusCode}): ${text}`));
        }
      }, ms);
    });
    req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
  });
}

describe('events.k8s.io, autoscaling/v1 and the aggregation layer against the real kubectl', () => {
  let store: ServerProcess;
  let apiserver: ApiserverProcess;
  let backend: Backend;
  // Each run its own discovery cache: kubectl caches /apis per server for hours.
  const env = { KUBECACHEDIR: tempDir('kubectl-cache') };
  const k = (args: string[], input?: string) => kubectl(apiserver.kubeconfig, args, { input, env });
  const ok = (args: string[], input?: string) => {
    const r = k(args, input);
    expect(r.stderr, `kubectl ${args.join(' ')}`).toBe('');
    expect(r.status, `kubectl ${args.join(' ')}`).toBe(0);
    return r.stdout;
  };
  const available = (name: string) => k(['get', 'apiservice', name, '-o', 'jsonpath={.status.conditions[?(@.type=="Available")].status} {.status.conditions[?(@.type=="Available")].reason}|{.status.conditions[?(@.type=="Available")].message}']).stdout;
  const waitAvailable = (name: string, prefix: string) =>
    waitFor(
      () => {
        const now = available(name);
        return now.startsWith(prefix) && now;
      },
      { timeoutMs: 8_000, what: `${name} ${prefix}` },
    );

  beforeAll(async () => {
    [store, backend] = await Promise.all([startKubelabStore(), startBackend()]);
    apiserver = await startKubelabApiserver(store.endpoint, { args: ['--apiservice-check-interval', '300'] });
  });

  afterAll(async () => {
    await backend?.stop();
    await apiserver?.stop();
    await store?.stop();
  });

  describe('events.k8s.io/v1: a view of the core/v1 Events', () => {
    it('shows events written through either API in both, each in its own fields', () => {
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      ok(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'web-1.started', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default' }, reason: 'Started', message: 'Started container web', source: { component: 'kubelet', host: 'node-1' }, firstTimestamp: now, lastTimestamp: now, count: 2, type: 'Normal' }));
      ok(['create', '-f', '-'], JSON.stringify({ apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'web-1.scheduled', namespace: 'default' }, eventTime: new Date().toISOString().replace('Z', '000Z'), reportingController: 'kubelab.dev/scheduler', reportingInstance: 'scheduler-1', action: 'Binding', reason: 'Scheduled', regarding: { kind: 'Pod', name: 'web-1', namespace: 'default' }, note: 'Successfully assigned default/web-1 to node-1', type: 'Normal' }));

      for (const resource of ['events', 'events.v1.events.k8s.io']) {
        const rows = table(ok(['get', resource, '--sort-by=.metadata.name']));
        expect(rows[0], resource).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
        expect(rows.slice(1).map((r) => r.slice(1)), resource).toEqual([
          ['Normal', 'Scheduled', 'pod/web-1', 'Successfully assigned default/web-1 to node-1'],
          ['Normal', 'Started', 'pod/web-1', 'Started container web'],
        ]);
      }
      const wide = table(ok(['get', 'events.v1.events.k8s.io', '-o', 'wide', '--sort-by=.metadata.name']));
      expect(wide.slice(1).map((r) => [r[4], r[7]])).toEqual([
        ['kubelab.dev/scheduler, scheduler-1', '1'],
        ['kubelet, node-1', '2'],
      ]);

      const asEvents = JSON.parse(ok(['get', 'events.v1.events.k8s.io', 'web-1.started', '-o', 'json']));
      expect(asEvents).toMatchObject({ apiVersion: 'events.k8s.io/v1', note: 'Started container web', regarding: { kind: 'Pod', name: 'web-1' }, deprecatedSource: { component: 'kubelet', host: 'node-1' }, deprecatedCount: 2, deprecatedFirstTimestamp: now });
      expect(asEvents).not.toHaveProperty('message');
      const asCore = JSON.parse(ok(['get', 'events', 'web-1.scheduled', '-o', 'json']));
      expect(asCore).toMatchObject({ apiVersion: 'v1', message: 'Successfully assigned default/web-1 to node-1', involvedObject: { kind: 'Pod', name: 'web-1' }, reportingComponent: 'kubelab.dev/scheduler', reportingInstance: 'scheduler-1', action: 'Binding' });
      expect(asCore).not.toHaveProperty('note');

      // field selectors in either vocabulary
      expect(ok(['get', 'events.v1.events.k8s.io', '--field-selector', 'reportingController=kubelab.dev/scheduler', '-o', 'name'])).toBe('event.events.k8s.io/web-1.scheduled\n');
      expect(ok(['get', 'events', '--field-selector', 'source=kubelet', '-o', 'name'])).toBe('event/web-1.started\n');
    });

    it('holds a new events.k8s.io/v1 event to its strict rules, with Kubernetes wording', () => {
      const r = k(['create', '-f', '-'], JSON.stringify({ apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'bad', namespace: 'default' }, reason: 'X', regarding: { kind: 'Pod', name: 'web-1', namespace: 'default' }, deprecatedCount: 3 }));
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('The Event "bad" is invalid:');
      expect(r.stderr).toContain('eventTime: Required value');
      expect(r.stderr).toContain('count: Invalid value: "": needs to be unset');
    });

    it('watches of either API see the events written through the other', async () => {
      const base = `${apiserver.url}`;
      const rv = JSON.parse(ok(['get', '--raw', '/api/v1/namespaces/default/events'])).metadata.resourceVersion;
      const viaEvents = watchLines(`${base}/apis/events.k8s.io/v1/namespaces/default/events?watch=true&resourceVersion=${rv}`, 1_500);
      const viaCore = watchLines(`${base}/api/v1/namespaces/default/events?watch=true&resourceVersion=${rv}`, 1_500);
      await new Promise((r) => setTimeout(r, 200));
      ok(['annotate', 'events.v1.events.k8s.io', 'web-1.started', 'seen=yes']);
      ok(['delete', 'events', 'web-1.scheduled']);
      const [eventsLines, coreLines] = await Promise.all([viaEvents, viaCore]);
      expect(eventsLines.map((l) => [l.type, l.object.metadata?.name, l.object.apiVersion])).toEqual([
        ['MODIFIED', 'web-1.started', 'events.k8s.io/v1'],
        ['DELETED', 'web-1.scheduled', 'events.k8s.io/v1'],
      ]);
      expect(eventsLines[0]!.object.note).toBe('Started container web');
      expect(coreLines.map((l) => [l.type, l.object.metadata?.name, l.object.apiVersion])).toEqual([
        ['MODIFIED', 'web-1.started', 'v1'],
        ['DELETED', 'web-1.scheduled', 'v1'],
      ]);
      expect(coreLines[1]!.object.message).toBe('Successfully assigned default/web-1 to node-1');
    });
  });

  describe('autoscaling/v1: a view of the stored autoscaling/v2 HPAs', () => {
    it('discovery lists autoscaling v2 (preferred) and v1', () => {
      expect(JSON.parse(ok(['get', '--raw', '/apis/autoscaling']))).toEqual({
        kind: 'APIGroup',
        apiVersion: 'v1',
        name: 'autoscaling',
        versions: [
          { groupVersion: 'autoscaling/v2', version: 'v2' },
          { groupVersion: 'autoscaling/v1', version: 'v1' },
        ],
        preferredVersion: { groupVersion: 'autoscaling/v2', version: 'v2' },
      });
      expect(ok(['api-versions']).split('\n')).toEqual(expect.arrayContaining(['autoscaling/v1', 'autoscaling/v2', 'events.k8s.io/v1', 'apiregistration.k8s.io/v1']));
    });

    it('an HPA created through v1 with targetCPUUtilizationPercentage 50 reads through v2 as a 50% CPU utilization metric', () => {
      ok(['create', 'deployment', 'web', '--image=nginx']);
      ok(['create', '-f', '-'], JSON.stringify({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web-v1' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 4, targetCPUUtilizationPercentage: 50 } }));
      const v2 = JSON.parse(ok(['get', 'horizontalpodautoscalers.v2.autoscaling', 'web-v1', '-o', 'json']));
      expect(v2.apiVersion).toBe('autoscaling/v2');
      expect(v2.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }]);
      expect(v2.metadata.annotations ?? {}).not.toHaveProperty(['autoscaling.alpha.kubernetes.io/metrics']);
      const v1 = JSON.parse(ok(['get', 'horizontalpodautoscalers.v1.autoscaling', 'web-v1', '-o', 'json']));
      expect(v1.apiVersion).toBe('autoscaling/v1');
      expect(v1.spec).toEqual({ scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 4, targetCPUUtilizationPercentage: 50 });
    });

    it('kubectl autoscale creates through v2; v1 shows the CPU target and keeps other metrics in its annotation', () => {
      expect(ok(['autoscale', 'deployment', 'web', '--min=2', '--max=5', '--cpu-percent=60'])).toBe('horizontalpodautoscaler.autoscaling/web autoscaled\n');
      const v1 = JSON.parse(ok(['get', 'horizontalpodautoscalers.v1.autoscaling', 'web', '-o', 'json']));
      expect(v1.spec.targetCPUUtilizationPercentage).toBe(60);
      // a memory metric v1 cannot express rides in autoscaling.alpha.kubernetes.io/metrics, and survives a v1 replace
      ok(['patch', 'horizontalpodautoscalers.v2.autoscaling', 'web', '--type=json', '-p', '[{"op":"add","path":"/spec/metrics/-","value":{"type":"Resource","resource":{"name":"memory","target":{"type":"AverageValue","averageValue":"500Mi"}}}}]']);
      const annotated = JSON.parse(ok(['get', 'horizontalpodautoscalers.v1.autoscaling', 'web', '-o', 'json']));
      expect(JSON.parse(annotated.metadata.annotations['autoscaling.alpha.kubernetes.io/metrics'])).toEqual([{ type: 'Resource', resource: { name: 'memory', targetAverageValue: '500Mi' } }]);
      annotated.spec.maxReplicas = 6;
      ok(['replace', '-f', '-'], JSON.stringify(annotated));
      const v2 = JSON.parse(ok(['get', 'horizontalpodautoscalers.v2.autoscaling', 'web', '-o', 'json']));
      expect(v2.spec.maxReplicas).toBe(6);
      expect(v2.spec.metrics).toEqual([
        { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } } },
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
      ]);
      const rows = table(ok(['get', 'horizontalpodautoscalers.v1.autoscaling']));
      expect(rows[0]).toEqual(['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE']);
      expect(rows.slice(1).map((r) => r.slice(0, 5))).toEqual([
        ['web', 'Deployment/web', 'memory: <unknown>/500Mi, cpu: <unknown>/60%', '2', '6'],
        ['web-v1', 'Deployment/web', 'cpu: <unknown>/50%', '1', '4'],
      ]);
      // kubectl expands the short name to the group's preferred version (hpa.v1.autoscaling reads v2, as against any cluster)
      expect(table(ok(['get', 'hpa.v1.autoscaling', 'web-v1']))[1]!.slice(0, 3)).toEqual(['web-v1', 'Deployment/web', 'cpu: <unknown>/50%']);
    });
  });

  describe('apiregistration.k8s.io and the aggregation layer', () => {
    it('registers the local group versions as Local APIServices', () => {
      const rows = table(ok(['get', 'apiservices']));
      expect(rows[0]).toEqual(['NAME', 'SERVICE', 'AVAILABLE', 'AGE']);
      expect(rows.slice(1).map((r) => r.slice(0, 3))).toEqual(expect.arrayContaining([
        ['v1.', 'Local', 'True'],
        ['v2.autoscaling', 'Local', 'True'],
        ['v1.autoscaling', 'Local', 'True'],
        ['v1.events.k8s.io', 'Local', 'True'],
        ['v1.apiregistration.k8s.io', 'Local', 'True'],
      ]));
    });

    it('checks an APIService on every change: ServiceNotFound, EndpointsNotFound, then Available', async () => {
      ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1beta1.metrics.k8s.io' }, spec: { service: { namespace: 'kube-system', name: 'metrics-server' }, group: 'metrics.k8s.io', version: 'v1beta1', insecureSkipTLSVerify: true, groupPriorityMinimum: 100, versionPriority: 100 } }));
      expect(await waitAvailable('v1beta1.metrics.k8s.io', 'False ServiceNotFound')).toBe('False ServiceNotFound|service/metrics-server in "kube-system" is not present');
      ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'metrics-server', namespace: 'kube-system' }, spec: { ports: [{ name: 'https', port: 443, targetPort: 4443 }] } }));
      expect(await waitAvailable('v1beta1.metrics.k8s.io', 'False EndpointsNotFound')).toBe('False EndpointsNotFound|cannot find endpoints for service/metrics-server in "kube-system"');
      // no kube-proxy yet: the Endpoints say where the server is (the Service's port "https")
      ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'metrics-server', namespace: 'kube-system' }, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: backend.port }] }] }));
      expect(await waitAvailable('v1beta1.metrics.k8s.io', 'True')).toBe('True Passed|all checks passed');
      const row = table(ok(['get', 'apiservices', 'v1beta1.metrics.k8s.io']))[1]!;
      expect(row.slice(0, 3)).toEqual(['v1beta1.metrics.k8s.io', 'kube-system/metrics-server', 'True']);
      expect(row[3]).toMatch(/^\d+s$/);
    });

    it('proxies requests for the group version to the backend: get --raw returns its JSON', async () => {
      // (the backend's log of requests arrives once kubectl, which runs synchronously, has returned)
      const received = (url: string) => waitFor(() => backend.requests.find((r) => r.url === url), { timeoutMs: 2_000, what: `the backend to see ${url}` });
      expect(JSON.parse(ok(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/nodes']))).toEqual(NODE_METRICS);
      expect(await received('/apis/metrics.k8s.io/v1beta1/nodes')).toEqual({ url: '/apis/metrics.k8s.io/v1beta1/nodes', user: 'system:anonymous' });
      // the query goes along as kubectl sent it (Go's url.Values: keys sorted)
      ok(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/nodes?limit=1&labelSelector=a%3Db']);
      await received('/apis/metrics.k8s.io/v1beta1/nodes?labelSelector=a%3Db&limit=1');
    });

    it('merges the group version into discovery: /apis, /apis/metrics.k8s.io and kubectl api-resources', () => {
      const groups = JSON.parse(ok(['get', '--raw', '/apis'])).groups as Array<{ name: string; preferredVersion: { version: string } }>;
      expect(groups.find((g) => g.name === 'metrics.k8s.io')).toEqual({ name: 'metrics.k8s.io', versions: [{ groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' }], preferredVersion: { groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' } });
      expect(JSON.parse(ok(['get', '--raw', '/apis/metrics.k8s.io']))).toMatchObject({ kind: 'APIGroup', name: 'metrics.k8s.io' });
      const resources = ok(['api-resources', '--api-group=metrics.k8s.io']);
      expect(resources).toMatch(/^nodes\s+metrics\.k8s\.io\/v1beta1\s+false\s+NodeMetrics$/m);
      expect(resources).toMatch(/^pods\s+metrics\.k8s\.io\/v1beta1\s+true\s+PodMetrics$/m);
    });

    it('streams a watch through the proxy as the backend writes it', async () => {
      const lines = await watchLines(`${apiserver.url}/apis/metrics.k8s.io/v1beta1/nodes?watch=true`, 800);
      expect(lines.map((l) => [l.type, l.object.usage?.cpu])).toEqual([
        ['ADDED', '250m'],
        ['MODIFIED', '300m'],
      ]);
    });

    it('takes the backend from the kubelab.dev/backend annotation when there is one', async () => {
      ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1beta2.custom.metrics.k8s.io', annotations: { 'kubelab.dev/backend': `http://127.0.0.1:${backend.port}` } }, spec: { service: { namespace: 'custom-metrics', name: 'adapter' }, group: 'custom.metrics.k8s.io', version: 'v1beta2', insecureSkipTLSVerify: true, groupPriorityMinimum: 100, versionPriority: 200 } }));
      await waitAvailable('v1beta2.custom.metrics.k8s.io', 'True');
      expect(JSON.parse(ok(['get', '--raw', '/apis/custom.metrics.k8s.io/v1beta2/nodes']))).toEqual(NODE_METRICS);
      ok(['delete', 'apiservice', 'v1beta2.custom.metrics.k8s.io']);
    });

    it('a backend that stops: Available False (FailedDiscoveryCheck) and 503 ServiceUnavailable', async () => {
      await backend.stop();
      const url = `http://127.0.0.1:${backend.port}/apis/metrics.k8s.io/v1beta1`;
      // A check in flight while the backend closed reads "connection reset by peer" first; the
      // next one (every 300 ms here) finds nobody listening.
      const condition = await waitAvailable('v1beta1.metrics.k8s.io', `False FailedDiscoveryCheck|failing or missing response from ${url}: Get "${url}": dial tcp`);
      expect(condition).toBe(`False FailedDiscoveryCheck|failing or missing response from ${url}: Get "${url}": dial tcp 127.0.0.1:${backend.port}: connect: connection refused`);
      // (kubectl's discovery may complain on stderr about metrics.k8s.io now, as against any cluster)
      const list = k(['get', 'apiservices', 'v1beta1.metrics.k8s.io']);
      expect(list.status).toBe(0);
      expect(table(list.stdout)[1]!.slice(0, 3)).toEqual(['v1beta1.metrics.k8s.io', 'kube-system/metrics-server', 'False (FailedDiscoveryCheck)']);
      const raw = k(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/nodes']);
      expect(raw.status).toBe(1);
      expect(raw.stderr).toMatch(/Error from server \(ServiceUnavailable\): the server is currently unable to handle the request\n$/);
      const direct = await fetch(`${apiserver.url}/apis/metrics.k8s.io/v1beta1/nodes`);
      expect(direct.status).toBe(503);
      expect(await direct.text()).toBe('service unavailable\n');
    });
  });
});
