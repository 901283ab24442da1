import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeObject } from '@kubelab/client';
import { createLogger } from '@kubelab/component-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findContainer, probeTiming, type Container, type Probe } from './probe-spec';
import { Prober, type ProbeTarget } from './prober';
import type { ExecResult } from '../runtime/types';

function randomIP(): string {
  const r = (a: number, b: number) => a + Math.floor(Math.random() * (b - a + 1));
  return `127.${r(100, 250)}.${r(0, 255)}.${r(2, 254)}`;
}

interface RecordedEvent {
  object: KubeObject;
  type: string;
  reason: string;
  message: string;
  fieldPath?: string;
}

/** Events and the Unhealthy texts the prober records for each attempt, as a person reads them. */
describe('prober: one attempt, its result and its event', () => {
  const ip = randomIP();
  let port = 0;
  let closedPort = 0;
  const server = http.createServer((req, res) => {
    if (req.url === '/healthz') return res.end('ok');
    if (req.url === '/slow') {
      setTimeout(() => {
        res.writeHead(503);
        res.end();
      }, 100);
      return;
    }
    if (req.url === '/away') {
      res.writeHead(301, { location: 'http://example.invalid/' });
      return res.end('gone');
    }
    res.writeHead(503);
    res.end();
  });
  const events: RecordedEvent[] = [];
  const recorder = { event: (object: KubeObject, type: string, reason: string, message: string, fieldPath?: string) => void events.push({ object, type, reason, message, fieldPath }) };
  const exec = { calls: 0, answer: { exitCode: 1, output: "cat: can't open '/tmp/healthy': No such file or directory\n", stderr: '', timedOut: false } as ExecResult | Error };
  const runtime = {
    execSync: async () => {
      exec.calls++;
      if (exec.answer instanceof Error) throw exec.answer;
      return exec.answer;
    },
  };
  const prober = new Prober({ runtime, recorder, log: createLogger('test', 'silent') });

  const pod = (container: Container, init = false): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'default', uid: 'uid-1' },
    spec: init ? { initContainers: [container], containers: [] } : { containers: [container] },
  });
  const target = (probe: Probe, options: { init?: boolean; ports?: Container['ports'] } = {}): ProbeTarget => {
    const container: Container = { name: 'httpserver', ports: options.ports, livenessProbe: probe };
    const p = pod(container, options.init);
    const found = findContainer(p, 'httpserver')!;
    return { pod: p, container, fieldPath: found.fieldPath, containerId: 'kubelab://1', podIP: ip, probe, timeoutSeconds: probeTiming(probe).timeoutSeconds };
  };
  const last = () => events[events.length - 1]!;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, ip, () => resolve()));
    port = (server.address() as AddressInfo).port;
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, ip, () => resolve()));
    closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('a success records nothing', async () => {
    const before = events.length;
    expect(await prober.probe('Liveness', target({ httpGet: { path: '/healthz', port } }))).toBe('Success');
    expect(events.length).toBe(before);
  });

  it('Liveness probe failed: HTTP probe failed with statuscode: 503, on the container', async () => {
    const t = target({ httpGet: { path: '/healthz-broken', port } });
    expect(await prober.probe('Liveness', t)).toBe('Failure');
    expect(last()).toEqual({ object: t.pod, type: 'Warning', reason: 'Unhealthy', message: 'Liveness probe failed: HTTP probe failed with statuscode: 503', fieldPath: 'spec.containers{httpserver}' });
  });

  it('Readiness probe failed: Get ...: dial tcp ...: connect: connection refused', async () => {
    expect(await prober.probe('Readiness', target({ httpGet: { path: '/health', port: closedPort } }))).toBe('Failure');
    expect(last().message).toBe(`Readiness probe failed: Get "http://${ip}:${closedPort}/health": dial tcp ${ip}:${closedPort}: connect: connection refused`);
  });

  it('Startup probe failed: <the command\'s output>, for an init (sidecar) container too', async () => {
    expect(await prober.probe('Startup', target({ exec: { command: ['cat', '/tmp/healthy'] } }, { init: true }))).toBe('Failure');
    expect(last()).toMatchObject({ reason: 'Unhealthy', message: "Startup probe failed: cat: can't open '/tmp/healthy': No such file or directory\n", fieldPath: 'spec.initContainers{httpserver}' });
  });

  it('tcpSocket on a named port', async () => {
    expect(await prober.probe('Readiness', target({ tcpSocket: { port: 'http' } }, { ports: [{ name: 'http', containerPort: port }] }))).toBe('Success');
    expect(await prober.probe('Readiness', target({ tcpSocket: { port: closedPort } }))).toBe('Failure');
    expect(last().message).toBe(`Readiness probe failed: dial tcp ${ip}:${closedPort}: connect: connection refused`);
  });

  it('a redirect to another host: a ProbeWarning event and a success', async () => {
    expect(await prober.probe('Readiness', target({ httpGet: { path: '/away', port } }))).toBe('Success');
    expect(last()).toMatchObject({ type: 'Warning', reason: 'ProbeWarning', message: 'Readiness probe warning: Probe terminated redirects, Response body: gone' });
  });

  it('an attempt that errors is retried 3 times, then recorded as errored and thrown away', async () => {
    exec.answer = new Error('container is not running');
    exec.calls = 0;
    expect(await prober.probe('Liveness', target({ exec: { command: ['true'] } }))).toBeUndefined();
    expect(exec.calls).toBe(3);
    expect(last()).toMatchObject({ reason: 'Unhealthy', message: 'Liveness probe errored and resulted in unknown state: container is not running' });
  });

  it('a port name the container does not have makes the probe error', async () => {
    expect(await prober.probe('Liveness', target({ httpGet: { path: '/', port: 'nope' } }))).toBeUndefined();
    expect(last().message).toBe('Liveness probe errored and resulted in unknown state: strconv.Atoi: parsing "nope": invalid syntax');
  });

  it('a probe with no handler errors', async () => {
    expect(await prober.probe('Liveness', target({ periodSeconds: 5 }))).toBeUndefined();
    expect(last().message).toBe('Liveness probe errored and resulted in unknown state: missing probe handler for web-1_default(uid-1):httpserver');
  });

  it('an attempt whose container stopped meanwhile says nothing and counts for nothing', async () => {
    const before = events.length;
    const cancelled = new AbortController();
    const attempt = prober.probe('Readiness', target({ httpGet: { path: '/slow', port } }), cancelled.signal);
    setTimeout(() => cancelled.abort(), 20);
    expect(await attempt).toBeUndefined();
    expect(events.length).toBe(before);
    expect(await prober.probe('Readiness', target({ httpGet: { path: '/slow', port } }))).toBe('Failure');
    expect(events.length).toBe(before + 1);
  });
});
