import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ProtobufDecodeError,
  decodeKubernetesProtobuf,
  formatDuration,
  isKubernetesProtobuf,
  loadKubernetesProtos,
  protobufTypeName,
} from './protobuf';

const MAGIC = Buffer.from('k8s\0', 'latin1');

/** Encodes a plain object as the given message type (field names as in the .proto). */
function encodeMessage(typeName: string, object: Record<string, unknown>): Uint8Array {
  const type = loadKubernetesProtos().lookupType(typeName);
  return type.encode(type.fromObject(object)).finish();
}

/** What client-go sends: "k8s\0" + runtime.Unknown{typeMeta, raw, contentEncoding: "", contentType: ""}. */
function envelope(apiVersion: string, kind: string, raw: Uint8Array): Buffer {
  const unknown = encodeMessage('k8s.io.apimachinery.pkg.runtime.Unknown', { typeMeta: { apiVersion, kind }, raw, contentEncoding: '', contentType: '' });
  return Buffer.concat([MAGIC, unknown]);
}

function body(apiVersion: string, kind: string, typeName: string, object: Record<string, unknown>): Buffer {
  return envelope(apiVersion, kind, encodeMessage(typeName, object));
}

/** Unix seconds of a UTC time. */
function unix(iso: string): number {
  return Date.parse(iso) / 1000;
}

/**
 * ObjectMeta as client-go writes it: Go encodes every non-pointer field even when it is empty, and a
 * zero metav1.Time as an empty message.
 */
function goMeta(fields: Record<string, unknown>): Record<string, unknown> {
  return { name: '', generateName: '', namespace: '', selfLink: '', uid: '', resourceVersion: '', generation: 0, creationTimestamp: {}, ...fields };
}

function decodeError(bytes: Buffer): ProtobufDecodeError {
  try {
    decodeKubernetesProtobuf(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(ProtobufDecodeError);
    return error as ProtobufDecodeError;
  }
  throw new Error('expected decodeKubernetesProtobuf to throw');
}

describe('isKubernetesProtobuf', () => {
  it('recognises the "k8s\\0" prefix and nothing else', () => {
    expect(isKubernetesProtobuf(Buffer.concat([MAGIC, Buffer.from([0x0a, 0x00])]))).toBe(true);
    expect(isKubernetesProtobuf(MAGIC)).toBe(true);
    expect(isKubernetesProtobuf(Buffer.from('{"kind":"Pod"}'))).toBe(false);
    expect(isKubernetesProtobuf(Buffer.from('k8s'))).toBe(false);
    expect(isKubernetesProtobuf(Buffer.alloc(0))).toBe(false);
  });
});

describe('protobufTypeName', () => {
  it('maps apiVersion and kind to the message type', () => {
    expect(protobufTypeName('apps/v1', 'Deployment')).toBe('k8s.io.api.apps.v1.Deployment');
    expect(protobufTypeName('v1', 'Pod')).toBe('k8s.io.api.core.v1.Pod');
    expect(protobufTypeName('coordination.k8s.io/v1', 'Lease')).toBe('k8s.io.api.coordination.v1.Lease');
    expect(protobufTypeName('apps/v1', 'DeleteOptions')).toBe('k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions');
    expect(protobufTypeName('batch/v1', 'Job')).toBeUndefined();
    expect(protobufTypeName('v1', 'not.a.kind')).toBeUndefined();
  });
});

describe('decodeKubernetesProtobuf', () => {
  it('decodes a Deployment: int32 replicas, label maps, intstr both ways, a creationTimestamp, no empty fields', () => {
    const decoded = decodeKubernetesProtobuf(
      body('apps/v1', 'Deployment', 'k8s.io.api.apps.v1.Deployment', {
        metadata: goMeta({ name: 'web', namespace: 'default', generation: 3, creationTimestamp: { seconds: unix('2024-01-02T03:04:05Z'), nanos: 999 }, labels: { app: 'web' } }),
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: goMeta({ labels: { app: 'web' } }),
            spec: {
              containers: [{ name: 'nginx', image: 'nginx:1.27', workingDir: '', resources: {}, stdin: false, tty: false, terminationMessagePath: '' }],
              restartPolicy: '',
              dnsPolicy: '',
              hostNetwork: false,
            },
          },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: { type: 0, intVal: 1, strVal: '' }, maxSurge: { type: 1, intVal: 0, strVal: '25%' } } },
          minReadySeconds: 0,
          revisionHistoryLimit: 0,
          paused: false,
        },
        status: { observedGeneration: 0, replicas: 0 },
      }),
    );
    expect(decoded).toEqual({
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      metadata: { name: 'web', namespace: 'default', generation: 3, creationTimestamp: '2024-01-02T03:04:05Z', labels: { app: 'web' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'web' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', resources: {} }] },
        },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: '25%' } },
        revisionHistoryLimit: 0,
      },
      status: {},
    });
    expect(Object.keys(decoded).slice(0, 2)).toEqual(['kind', 'apiVersion']);
  });

  it('decodes a Namespace', () => {
    const decoded = decodeKubernetesProtobuf(
      body('v1', 'Namespace', 'k8s.io.api.core.v1.Namespace', {
        metadata: goMeta({ name: 'team-a', labels: { team: 'a' }, annotations: { 'kubelab.dev/owner': 'me' } }),
        spec: { finalizers: ['kubernetes'] },
        status: { phase: '' },
      }),
    );
    expect(decoded).toEqual({
      kind: 'Namespace',
      apiVersion: 'v1',
      metadata: { name: 'team-a', creationTimestamp: null, labels: { team: 'a' }, annotations: { 'kubelab.dev/owner': 'me' } },
      spec: { finalizers: ['kubernetes'] },
      status: {},
    });
  });

  it('decodes a ConfigMap: string data, binaryData as base64, an explicit immutable: false', () => {
    const decoded = decodeKubernetesProtobuf(
      body('v1', 'ConfigMap', 'k8s.io.api.core.v1.ConfigMap', {
        metadata: goMeta({ name: 'cfg', namespace: 'default' }),
        data: { b: 'two', a: '1', 'app.properties': 'x=1\ny=2\n' },
        binaryData: { blob: Buffer.from([0x00, 0xff, 0x10]) },
        immutable: false,
      }),
    );
    expect(decoded).toEqual({
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { name: 'cfg', namespace: 'default', creationTimestamp: null },
      immutable: false,
      data: { a: '1', 'app.properties': 'x=1\ny=2\n', b: 'two' },
      binaryData: { blob: 'AP8Q' },
    });
    expect(Object.keys(decoded['data'] as object)).toEqual(['a', 'app.properties', 'b']);
  });

  it('decodes a Secret: data bytes become base64, type stays', () => {
    const decoded = decodeKubernetesProtobuf(
      body('v1', 'Secret', 'k8s.io.api.core.v1.Secret', {
        metadata: goMeta({ name: 's1', namespace: 'default' }),
        data: { password: Buffer.from('hunter2'), key: Buffer.from([0xde, 0xad, 0xbe, 0xef]), empty: Buffer.alloc(0) },
        type: 'Opaque',
      }),
    );
    expect(decoded).toEqual({
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: { name: 's1', namespace: 'default', creationTimestamp: null },
      data: { empty: '', key: '3q2+7w==', password: 'aHVudGVyMg==' },
      type: 'Opaque',
    });
  });

  it('decodes a Service: targetPort as a number and as a name, zero nodePort dropped, port kept', () => {
    const decoded = decodeKubernetesProtobuf(
      body('v1', 'Service', 'k8s.io.api.core.v1.Service', {
        metadata: goMeta({ name: 'svc1', labels: { app: 'svc1' } }),
        spec: {
          ports: [
            { name: '80-8080', protocol: 'TCP', port: 80, targetPort: { type: 0, intVal: 8080, strVal: '' }, nodePort: 0 },
            { name: '443-https', protocol: 'TCP', port: 443, targetPort: { type: 1, intVal: 0, strVal: 'https' }, nodePort: 0 },
            { name: '', protocol: 'UDP', port: 0, targetPort: {} },
          ],
          selector: { app: 'svc1' },
          clusterIP: '',
          type: 'ClusterIP',
          sessionAffinity: '',
          externalName: '',
          healthCheckNodePort: 0,
          publishNotReadyAddresses: false,
          allocateLoadBalancerNodePorts: false,
        },
        status: { loadBalancer: {} },
      }),
    );
    expect(decoded).toEqual({
      kind: 'Service',
      apiVersion: 'v1',
      metadata: { name: 'svc1', creationTimestamp: null, labels: { app: 'svc1' } },
      spec: {
        ports: [
          { name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 },
          { name: '443-https', protocol: 'TCP', port: 443, targetPort: 'https' },
          { protocol: 'UDP', port: 0, targetPort: 0 },
        ],
        selector: { app: 'svc1' },
        type: 'ClusterIP',
        allocateLoadBalancerNodePorts: false,
      },
      status: { loadBalancer: {} },
    });
  });

  it('decodes a Pod: resource quantities, timestamps, int64s, and the inlined Go structs', () => {
    const decoded = decodeKubernetesProtobuf(
      body('v1', 'Pod', 'k8s.io.api.core.v1.Pod', {
        metadata: goMeta({
          name: 'p',
          namespace: 'default',
          uid: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
          creationTimestamp: { seconds: unix('2024-01-02T03:04:05Z') },
          deletionGracePeriodSeconds: 0,
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true, blockOwnerDeletion: false }],
        }),
        spec: {
          volumes: [{ name: 'cfg', volumeSource: { configMap: { localObjectReference: { name: 'cfg' }, defaultMode: 420, optional: false } } }],
          containers: [
            {
              name: 'app',
              image: 'busybox',
              command: ['sleep', '3600'],
              env: [{ name: 'A', value: '' }, { name: 'B', valueFrom: { configMapKeyRef: { localObjectReference: { name: 'cfg' }, key: 'b' } } }],
              resources: { requests: { cpu: { string: '250m' }, memory: { string: '64Mi' } }, limits: { memory: { string: '128Mi' }, 'example.com/gpu': {} } },
              volumeMounts: [{ name: 'cfg', readOnly: true, mountPath: '/etc/cfg', subPath: '' }],
              livenessProbe: { handler: { httpGet: { path: '/healthz', port: { type: 1, strVal: 'http' }, scheme: 'HTTP' } }, periodSeconds: 10, timeoutSeconds: 0 },
              ports: [{ name: 'http', containerPort: 8080, hostPort: 0, protocol: 'TCP' }],
              securityContext: { runAsUser: 0, allowPrivilegeEscalation: false },
            },
          ],
          terminationGracePeriodSeconds: 30,
          activeDeadlineSeconds: 0,
          nodeName: '',
          securityContext: { supplementalGroups: [1000, 2000], fsGroup: 2000 },
          tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 }],
        },
        status: { phase: 'Pending', startTime: { seconds: unix('2024-01-02T03:04:06Z') }, conditions: [{ type: 'Ready', status: 'False', lastProbeTime: {}, lastTransitionTime: { seconds: 0 } }] },
      }),
    );
    expect(decoded).toEqual({
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: {
        name: 'p',
        namespace: 'default',
        uid: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
        creationTimestamp: '2024-01-02T03:04:05Z',
        deletionGracePeriodSeconds: 0,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true, blockOwnerDeletion: false }],
      },
      spec: {
        volumes: [{ name: 'cfg', configMap: { name: 'cfg', defaultMode: 420, optional: false } }],
        containers: [
          {
            name: 'app',
            image: 'busybox',
            command: ['sleep', '3600'],
            ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
            env: [{ name: 'A' }, { name: 'B', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'b' } } }],
            resources: { limits: { 'example.com/gpu': '0', memory: '128Mi' }, requests: { cpu: '250m', memory: '64Mi' } },
            volumeMounts: [{ name: 'cfg', readOnly: true, mountPath: '/etc/cfg' }],
            livenessProbe: { httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' }, periodSeconds: 10 },
            securityContext: { runAsUser: 0, allowPrivilegeEscalation: false },
          },
        ],
        terminationGracePeriodSeconds: 30,
        activeDeadlineSeconds: 0,
        securityContext: { supplementalGroups: [1000, 2000], fsGroup: 2000 },
        tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 }],
      },
      status: {
        phase: 'Pending',
        conditions: [{ type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: '1970-01-01T00:00:00Z' }],
        startTime: '2024-01-02T03:04:06Z',
      },
    });
  });

  it('writes MicroTime with 6 fractional digits (a Lease) and pointer zeros stay', () => {
    const decoded = decodeKubernetesProtobuf(
      body('coordination.k8s.io/v1', 'Lease', 'k8s.io.api.coordination.v1.Lease', {
        metadata: goMeta({ name: 'node-1', namespace: 'kube-node-lease' }),
        spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40, renewTime: { seconds: unix('2024-01-02T03:04:05Z'), nanos: 123456789 }, acquireTime: { seconds: unix('2024-01-02T03:04:05Z'), nanos: 0 }, leaseTransitions: 0 },
      }),
    );
    expect(decoded['spec']).toEqual({
      holderIdentity: 'node-1',
      leaseDurationSeconds: 40,
      acquireTime: '2024-01-02T03:04:05.000000Z',
      renewTime: '2024-01-02T03:04:05.123456Z',
      leaseTransitions: 0,
    });
  });

  it('turns RawExtension and FieldsV1 into the JSON they hold', () => {
    const decoded = decodeKubernetesProtobuf(
      body('apps/v1', 'ControllerRevision', 'k8s.io.api.apps.v1.ControllerRevision', {
        metadata: goMeta({
          name: 'web-7d9',
          managedFields: [
            {
              manager: 'kubectl',
              operation: 'Update',
              apiVersion: 'apps/v1',
              time: { seconds: unix('2024-01-02T03:04:05Z') },
              fieldsType: 'FieldsV1',
              fieldsV1: { Raw: Buffer.from('{"f:metadata":{"f:labels":{".":{}}}}') },
              subresource: '',
            },
          ],
        }),
        data: { raw: Buffer.from('{"spec":{"template":{"$patch":"replace"}}}') },
        revision: 0,
      }),
    );
    expect(decoded).toEqual({
      kind: 'ControllerRevision',
      apiVersion: 'apps/v1',
      metadata: {
        name: 'web-7d9',
        creationTimestamp: null,
        managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'apps/v1', time: '2024-01-02T03:04:05Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { '.': {} } } } }],
      },
      data: { spec: { template: { $patch: 'replace' } } },
      revision: 0,
    });
  });

  it('decodes the other groups: autoscaling/v2, discovery, scheduling, policy, events', () => {
    const hpa = decodeKubernetesProtobuf(
      body('autoscaling/v2', 'HorizontalPodAutoscaler', 'k8s.io.api.autoscaling.v2.HorizontalPodAutoscaler', {
        metadata: goMeta({ name: 'web' }),
        spec: {
          scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' },
          minReplicas: 1,
          maxReplicas: 5,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
        },
      }),
    );
    expect(hpa['spec']).toEqual({
      scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' },
      minReplicas: 1,
      maxReplicas: 5,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
    });
    const slice = decodeKubernetesProtobuf(
      body('discovery.k8s.io/v1', 'EndpointSlice', 'k8s.io.api.discovery.v1.EndpointSlice', {
        metadata: goMeta({ name: 'web-abc' }),
        addressType: 'IPv4',
        endpoints: [{ addresses: ['10.0.0.5'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'node-1' }],
        ports: [{ name: '', protocol: 'TCP', port: 8080 }],
      }),
    );
    expect(slice).toMatchObject({
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.0.0.5'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'node-1' }],
      ports: [{ name: '', protocol: 'TCP', port: 8080 }],
    });
    expect(decodeKubernetesProtobuf(body('scheduling.k8s.io/v1', 'PriorityClass', 'k8s.io.api.scheduling.v1.PriorityClass', { metadata: goMeta({ name: 'low' }), value: 0, globalDefault: false, description: 'zero' }))).toEqual({
      kind: 'PriorityClass',
      apiVersion: 'scheduling.k8s.io/v1',
      metadata: { name: 'low', creationTimestamp: null },
      value: 0,
      description: 'zero',
    });
    const pdb = decodeKubernetesProtobuf(
      body('policy/v1', 'PodDisruptionBudget', 'k8s.io.api.policy.v1.PodDisruptionBudget', {
        metadata: goMeta({ name: 'pdb' }),
        spec: { minAvailable: { type: 1, strVal: '50%' }, selector: { matchLabels: { app: 'web' } } },
        status: { observedGeneration: 0, disruptedPods: { 'web-1': { seconds: unix('2024-01-02T03:04:05Z') } }, disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
      }),
    );
    expect(pdb['spec']).toEqual({ minAvailable: '50%', selector: { matchLabels: { app: 'web' } } });
    expect(pdb['status']).toEqual({ disruptedPods: { 'web-1': '2024-01-02T03:04:05Z' }, disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });
    const event = decodeKubernetesProtobuf(
      body('events.k8s.io/v1', 'Event', 'k8s.io.api.events.v1.Event', {
        metadata: goMeta({ name: 'e1', namespace: 'default' }),
        eventTime: { seconds: unix('2024-01-02T03:04:05Z'), nanos: 500000 },
        reportingController: 'kubelab/scheduler',
        reason: 'Scheduled',
        regarding: { kind: 'Pod', name: 'p', namespace: 'default' },
        deprecatedSource: {},
        deprecatedFirstTimestamp: {},
        deprecatedLastTimestamp: {},
        deprecatedCount: 0,
        type: 'Normal',
      }),
    );
    expect(event).toMatchObject({
      eventTime: '2024-01-02T03:04:05.000500Z',
      reportingController: 'kubelab/scheduler',
      reason: 'Scheduled',
      regarding: { kind: 'Pod', name: 'p', namespace: 'default' },
      deprecatedSource: {},
      deprecatedFirstTimestamp: null,
      type: 'Normal',
    });
    expect(event).not.toHaveProperty('deprecatedCount');
  });

  it('decodes DeleteOptions sent in any group version', () => {
    expect(decodeKubernetesProtobuf(body('apps/v1', 'DeleteOptions', 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions', { gracePeriodSeconds: 0, propagationPolicy: 'Foreground', dryRun: ['All'] }))).toEqual({
      kind: 'DeleteOptions',
      apiVersion: 'apps/v1',
      gracePeriodSeconds: 0,
      propagationPolicy: 'Foreground',
      dryRun: ['All'],
    });
  });

  it('refuses kinds it has no schema for, so the caller can answer 415', () => {
    const raw = encodeMessage('k8s.io.api.core.v1.ConfigMap', { metadata: { name: 'x' } });
    for (const [apiVersion, kind] of [
      ['batch/v1', 'Job'],
      ['apps/v1', 'Frobnicator'],
      ['v2', 'Pod'],
    ] as const) {
      const error = decodeError(envelope(apiVersion, kind, raw));
      expect(error.reason).toBe('UnsupportedType');
      expect(error.message).toContain(`${kind} in ${apiVersion}`);
    }
  });

  it('refuses corrupt bodies with a clear message, so the caller can answer 400', () => {
    expect(decodeError(Buffer.from('{"kind":"Pod"}')).reason).toBe('Malformed');
    const garbage = decodeError(Buffer.concat([MAGIC, Buffer.from([0x0a, 0x7f, 0x01])]));
    expect(garbage.reason).toBe('Malformed');
    expect(garbage.message).toMatch(/corrupt/);
    const noType = decodeError(Buffer.concat([MAGIC, encodeMessage('k8s.io.apimachinery.pkg.runtime.Unknown', { raw: Buffer.from([0x0a, 0x00]) })]));
    expect(noType.message).toMatch(/apiVersion and kind/);
    const truncated = envelope('v1', 'Pod', encodeMessage('k8s.io.api.core.v1.Pod', { metadata: { name: 'truncated-pod' } }).subarray(0, 6));
    const badRaw = decodeError(truncated);
    expect(badRaw.reason).toBe('Malformed');
    expect(badRaw.message).toContain('not a valid v1 Pod');
    const notJson = decodeError(body('apps/v1', 'ControllerRevision', 'k8s.io.api.apps.v1.ControllerRevision', { data: { raw: Buffer.from('not json') } }));
    expect(notJson.message).toMatch(/RawExtension does not hold JSON/);
  });
});

describe('formatDuration', () => {
  it('writes Go durations', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(500)).toBe('500ns');
    expect(formatDuration(1500)).toBe('1.5µs');
    expect(formatDuration(1_500_000)).toBe('1.5ms');
    expect(formatDuration(90e9)).toBe('1m30s');
    expect(formatDuration(3600e9)).toBe('1h0m0s');
    expect(formatDuration(3723.5e9)).toBe('1h2m3.5s');
    expect(formatDuration(-2e9)).toBe('-2s');
  });
});

describe('bodies the real kubectl sends', () => {
  it('decodes a captured `kubectl create deployment web --image=nginx --replicas=2` body', () => {
    const captured = Buffer.from(fs.readFileSync(path.join(__dirname, 'fixtures', 'kubectl-create-deployment.pb.b64'), 'utf8'), 'base64');
    expect(isKubernetesProtobuf(captured)).toBe(true);
    const decoded = decodeKubernetesProtobuf(captured);
    expect(decoded).toEqual({
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      metadata: { name: 'web', creationTimestamp: null, labels: { app: 'web' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { creationTimestamp: null, labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx', resources: {} }] } },
        strategy: {},
      },
      status: {},
    });
  });

  const kubectl = findKubectl();

  it.skipIf(!kubectl)('decodes what kubectl sends to a live server exactly as kubectl itself writes the object in JSON', async () => {
    const captured: { contentType: string | undefined; url: string; body: Buffer }[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const reply = (code: number, object: unknown): void => {
          res.writeHead(code, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify(object));
        };
        if (req.method === 'POST') {
          const requestBody = Buffer.concat(chunks);
          captured.push({ contentType: req.headers['content-type'], url: req.url ?? '', body: requestBody });
          try {
            return reply(201, decodeKubernetesProtobuf(requestBody));
          } catch (error) {
            return reply(415, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'UnsupportedMediaType', code: 415, message: (error as Error).message });
          }
        }
        if (req.url?.startsWith('/version')) return reply(200, { major: '1', minor: '32', gitVersion: 'v1.32.0' });
        return reply(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelab-protobuf-'));
    try {
      const kubeconfig = path.join(home, 'kubeconfig');
      const port = (server.address() as AddressInfo).port;
      fs.writeFileSync(
        kubeconfig,
        [
          'apiVersion: v1',
          'kind: Config',
          `clusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}"}}]`,
          'users: [{name: u, user: {}}]',
          'contexts: [{name: x, context: {cluster: c, user: u, namespace: default}}]',
          'current-context: x',
        ].join('\n'),
      );
      const run = (args: string[]): Promise<string> =>
        new Promise((resolve, reject) => {
          execFile(kubectl!, ['--kubeconfig', kubeconfig, ...args], { env: { ...process.env, HOME: home, KUBECONFIG: kubeconfig }, timeout: 30_000 }, (error, stdout, stderr) =>
            error ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr || error.message}`)) : resolve(stdout),
          );
        });

      const commands = [
        ['create', 'deployment', 'web', '--image=nginx', '--replicas=2'],
        ['create', 'namespace', 'team-a'],
        ['create', 'configmap', 'cfg', '--from-literal=a=1', '--from-literal=b=two'],
        ['create', 'secret', 'generic', 's1', '--from-literal=password=hunter2'],
        ['create', 'service', 'clusterip', 'svc1', '--tcp=80:8080', '--tcp=443:https'],
      ];
      for (const [index, command] of commands.entries()) {
        // The object kubectl would send, as kubectl itself writes it in JSON ...
        const expected = JSON.parse(await run([...command, '--dry-run=client', '-o', 'json'])) as unknown;
        // ... and what it sends as protobuf when it talks to a server.
        await run([...command, '--dry-run=server', '-o', 'json']);
        const sent = captured[index];
        expect(sent?.contentType).toBe('application/vnd.kubernetes.protobuf');
        expect(isKubernetesProtobuf(sent!.body)).toBe(true);
        expect(decodeKubernetesProtobuf(sent!.body)).toEqual(expected);
      }
      const deployment = decodeKubernetesProtobuf(captured[0]!.body) as { spec: { replicas: number; template: { spec: { containers: { image: string }[] } } } };
      expect(captured[0]!.url).toMatch(/^\/apis\/apps\/v1\/namespaces\/default\/deployments\?/);
      expect(deployment.spec.replicas).toBe(2);
      expect(deployment.spec.template.spec.containers[0]?.image).toBe('nginx');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});

/** The kubectl binary on PATH, if there is one. */
function findKubectl(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'kubectl');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
