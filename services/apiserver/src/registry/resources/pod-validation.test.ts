import { FieldPath, newInvalid } from '@kubelab/apimachinery';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../types';
import { deployments } from './deployments';
import { defaultPodSpec } from './pod-spec';
import { validatePodSpec } from './pod-validation';
import { pods } from './pods';

/** A pod spec's errors after defaults, as kubectl prints each. */
function errorsOf(spec: Record<string, unknown>): string[] {
  const copy = structuredClone(spec);
  defaultPodSpec(copy);
  return validatePodSpec(copy, FieldPath.of('spec'), { resourceIsPod: true }).map(String);
}

const containers = [{ name: 'app', image: 'nginx:1.27' }];
const SUBDOMAIN_ERR =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_ERR =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

describe('pod spec fields (ValidatePodSpec)', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ['a minimal pod', {}, []],
    ['the defaults fill what is empty', { restartPolicy: '', dnsPolicy: '', terminationGracePeriodSeconds: null }, []],
    ['restartPolicy OnFailure', { restartPolicy: 'OnFailure' }, []],
    ['a restartPolicy typo', { restartPolicy: 'Alway' }, ['spec.restartPolicy: Unsupported value: "Alway": supported values: "Always", "OnFailure", "Never"']],
    [
      'a dnsPolicy typo',
      { dnsPolicy: 'ClusterFist' },
      ['spec.dnsPolicy: Unsupported value: "ClusterFist": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"'],
    ],
    ['dnsPolicy None without dnsConfig', { dnsPolicy: 'None' }, ['spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None']],
    [
      'dnsPolicy None without nameservers',
      { dnsPolicy: 'None', dnsConfig: { searches: ['example.com'] } },
      ['spec.dnsConfig.nameservers: Required value: must provide at least one DNS nameserver when `dnsPolicy` is None'],
    ],
    ['dnsPolicy None with a nameserver', { dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'] } }, []],
    ['a DNS option without name', { dnsConfig: { options: [{ value: '2' }] } }, ['spec.dnsConfig.options[0]: Required value: must not be empty']],
    ['a nodeSelector', { nodeSelector: { disktype: 'ssd', 'kubernetes.io/hostname': 'kubelab-worker' } }, []],
    [
      'a nodeSelector value with a space',
      { nodeSelector: { disktype: 'fast ssd' } },
      [
        "spec.nodeSelector: Invalid value: \"fast ssd\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
      ],
    ],
    [
      'a nodeSelector key with two slashes',
      { nodeSelector: { 'a/b/c': 'x' } },
      [
        "spec.nodeSelector: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
      ],
    ],
    ['activeDeadlineSeconds', { activeDeadlineSeconds: 600 }, []],
    ['activeDeadlineSeconds 0', { activeDeadlineSeconds: 0 }, ['spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive']],
    ['activeDeadlineSeconds too large', { activeDeadlineSeconds: 2147483648 }, ['spec.activeDeadlineSeconds: Invalid value: 2147483648: must be between 1 and 2147483647, inclusive']],
    // A negative grace period is only a warning in Kubernetes (it is treated as 1), not an error.
    ['terminationGracePeriodSeconds 0', { terminationGracePeriodSeconds: 0 }, []],
    ['a serviceAccountName with capitals', { serviceAccountName: 'Builder' }, [`spec.serviceAccountName: Invalid value: "Builder": ${SUBDOMAIN_ERR}`]],
    ['a nodeName with an underscore', { nodeName: 'node_1' }, [`spec.nodeName: Invalid value: "node_1": ${SUBDOMAIN_ERR}`]],
    ['a hostname with a dot', { hostname: 'web.1' }, [`spec.hostname: Invalid value: "web.1": ${LABEL_ERR}`]],
    ['a subdomain with capitals', { subdomain: 'Web' }, [`spec.subdomain: Invalid value: "Web": ${LABEL_ERR}`]],
    ['a priorityClassName with capitals', { priorityClassName: 'High' }, [`spec.priorityClassName: Invalid value: "High": ${SUBDOMAIN_ERR}`]],
    [
      'a readiness gate without a valid condition type',
      { readinessGates: [{ conditionType: 'example.com/' }] },
      ['spec.readinessGates[0].conditionType: Invalid value: "example.com/": name part must be non-empty', `spec.readinessGates[0].conditionType: Invalid value: "example.com/": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`],
    ],
    [
      'a toleration typo',
      { tolerations: [{ key: 'dedicated', operator: 'Equals', value: 'gpu' }] },
      ['spec.tolerations[0].operator: Unsupported value: "Equals": supported values: "Equal", "Exists"'],
    ],
  ])('%s', (_name, spec, want) => {
    expect(errorsOf({ containers, ...spec })).toEqual(want);
  });

  it('lists errors in Kubernetes\' order: volumes, containers, init containers, then the pod\'s own fields', () => {
    const spec = {
      restartPolicy: 'Sometimes',
      volumes: [{ name: 'Data' }],
      initContainers: [{ name: 'init', image: 'busybox', restartPolicy: 'Never' }],
      containers: [{ name: 'app', image: 'nginx', ports: [{ containerPort: 0 }] }],
      tolerations: [{ operator: 'Equal' }],
    };
    expect(errorsOf(spec)).toEqual([
      `spec.volumes[0].name: Invalid value: "Data": ${LABEL_ERR}`,
      'spec.containers[0].ports[0].containerPort: Required value',
      'spec.initContainers[0].restartPolicy: Unsupported value: "Never": supported values: "Always"',
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
    ]);
  });
});

describe('the Pod and workload strategies', () => {
  it('validates a Pod after its defaults, with the message kubectl prints', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { restartPolicy: 'Alway', containers } } as KubeObject;
    pods.strategy.prepareForCreate!(pod);
    const errors = pods.strategy.validate!(pod);
    expect(newInvalid({ group: '', kind: 'Pod' }, 'x', errors).message).toBe(
      'Pod "x" is invalid: spec.restartPolicy: Unsupported value: "Alway": supported values: "Always", "OnFailure", "Never"',
    );
  });

  it('defaults a replaced Pod spec again before validating it (as Kubernetes decodes every write with defaults)', () => {
    const old = { metadata: { name: 'x' }, spec: { containers }, status: { phase: 'Running' } } as KubeObject;
    pods.strategy.prepareForCreate!(old);
    const replaced = { metadata: { name: 'x' }, spec: { containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] } } as KubeObject;
    pods.strategy.prepareForUpdate!(replaced, old);
    expect(pods.strategy.validate!(replaced)).toEqual([]);
    expect((replaced.spec!.containers as Array<{ ports: unknown }>)[0]!.ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
  });

  it('validates a Deployment\'s template at spec.template.spec, without the Pod-only checks', () => {
    const deployment = {
      metadata: { name: 'web' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: ' nginx', ports: [{ containerPort: 80, protocol: 'HTTP' }] }], dnsPolicy: 'Clusterfirst' } },
      },
    } as KubeObject;
    deployments.strategy.prepareForCreate!(deployment);
    expect(deployments.strategy.validate!(deployment).map(String)).toEqual([
      'spec.template.spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
      'spec.template.spec.dnsPolicy: Unsupported value: "Clusterfirst": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
    ]);
  });

  it('a controller\'s template must restart its pods and have no deadline', () => {
    const deployment = {
      metadata: { name: 'web' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers, restartPolicy: 'Never', activeDeadlineSeconds: 60 } } },
    } as KubeObject;
    deployments.strategy.prepareForCreate!(deployment);
    expect(deployments.strategy.validate!(deployment).map(String)).toEqual([
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
      'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported',
    ]);
  });

  it('a template without a spec needs only its containers', () => {
    const deployment = { metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } } } } } as KubeObject;
    deployments.strategy.prepareForCreate!(deployment);
    expect(deployments.strategy.validate!(deployment).map(String)).toEqual(['spec.template.spec.containers: Required value']);
  });
});
