import { describe, expect, it } from 'vitest';
import { validateObjectMeta } from '../object-meta';
import type { KubeObject } from '../types';
import { apiservices } from './apiservices';

const remote = (): KubeObject => ({
  metadata: { name: 'v1beta1.metrics.k8s.io', creationTimestamp: '2024-01-01T00:00:00Z' },
  spec: { service: { namespace: 'kube-system', name: 'metrics-server' }, group: 'metrics.k8s.io', version: 'v1beta1', insecureSkipTLSVerify: true, groupPriorityMinimum: 100, versionPriority: 100 },
});
const errorsOf = (object: KubeObject) => [...validateObjectMeta(object, 'APIService'), ...apiservices.strategy.validate!(object)].map((e) => e.message);

describe('APIService strategy', () => {
  it('defaults the service port to 443 and starts without a status', () => {
    const object = { ...remote(), status: { conditions: [{ type: 'Available', status: 'True' }] } };
    apiservices.strategy.prepareForCreate!(object);
    expect(object.spec!.service).toEqual({ namespace: 'kube-system', name: 'metrics-server', port: 443 });
    expect(object.status).toEqual({});
  });

  it('accepts the local core APIService "v1." and a remote one', () => {
    expect(errorsOf({ metadata: { name: 'v1.' }, spec: { service: null, group: '', version: 'v1', groupPriorityMinimum: 18000, versionPriority: 1 } })).toEqual([]);
    expect(errorsOf(remote())).toEqual([]);
  });

  it.each([
    ['a name other than version.group', { metadata: { name: 'metrics' } }, 'metadata.name: Invalid value: "metrics": must be `spec.version+"."+spec.group`: "v1beta1.metrics.k8s.io"'],
    ['no service name', { spec: { ...remote().spec, service: { namespace: 'kube-system' } } }, 'spec.service.name: Required value'],
    ['a priority out of range', { spec: { ...remote().spec, groupPriorityMinimum: 0 } }, 'spec.groupPriorityMinimum: Invalid value: 0: must be positive and less than 20000'],
    ['a version priority out of range', { spec: { ...remote().spec, versionPriority: 1001 } }, 'spec.versionPriority: Invalid value: 1001: must be positive and less than 1000'],
    ['an empty group for v1beta1', { metadata: { name: 'v1beta1.' }, spec: { ...remote().spec, group: '' } }, 'spec.group: Required value: only v1 may have an empty group and it better be legacy kube'],
    ['both caBundle and insecureSkipTLSVerify', { spec: { ...remote().spec, caBundle: 'Zm9v' } }, 'spec.insecureSkipTLSVerify: Invalid value: true: may not be true if caBundle is present'],
  ])('rejects %s as kube-aggregator does', (_what, change, message) => {
    expect(errorsOf({ ...remote(), ...change } as KubeObject)).toContain(message);
  });

  it.each([
    ['a remote one that passed', { conditions: [{ type: 'Available', status: 'True', reason: 'Passed' }] }, true, ['v1beta1.metrics.k8s.io', 'kube-system/metrics-server', 'True', '5m']],
    ['a remote one that failed', { conditions: [{ type: 'Available', status: 'False', reason: 'FailedDiscoveryCheck' }] }, true, ['v1beta1.metrics.k8s.io', 'kube-system/metrics-server', 'False (FailedDiscoveryCheck)', '5m']],
    ['one not checked yet', {}, true, ['v1beta1.metrics.k8s.io', 'kube-system/metrics-server', 'Unknown', '5m']],
    ['a local one', { conditions: [{ type: 'Available', status: 'True', reason: 'Local' }] }, false, ['v1beta1.metrics.k8s.io', 'Local', 'True', '5m']],
  ])('prints NAME SERVICE AVAILABLE AGE for %s', (_what, status, isRemote, row) => {
    const object = { ...remote(), status };
    if (!isRemote) object.spec = { ...object.spec, service: null };
    expect(apiservices.printer.columns.map((c) => c.name)).toEqual(['Name', 'Service', 'Available', 'Age']);
    expect(apiservices.printer.row(object, new Date('2024-01-01T00:05:00Z'))).toEqual(row);
  });
});
