import { describe, expect, it } from 'vitest';
import { SERVICE_NAME_LABEL, type V1Endpoint, type V1EndpointSlice } from './api';
import { EndpointSliceCache } from './endpoint-slice-cache';

function slice(name: string, endpoints: V1Endpoint[]): V1EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'default', labels: { [SERVICE_NAME_LABEL]: 'web' } },
    addressType: 'IPv4',
    endpoints,
    ports: [{ name: '', port: 8080, protocol: 'TCP' }],
  };
}

describe('EndpointSliceCache', () => {
  it('reads the conditions as kube-proxy does: nil ready and serving are true, nil terminating is false', () => {
    const cache = new EndpointSliceCache();
    cache.update(
      slice('web-1', [
        { addresses: ['10.0.0.1'] },
        { addresses: ['10.0.0.2'], conditions: {} },
        { addresses: ['10.0.0.3'], conditions: { ready: null, serving: null, terminating: null } },
        // Not ready, serving not said: serving all the same (kube-proxy: `Serving == nil || *Serving`).
        { addresses: ['10.0.0.4'], conditions: { ready: false } },
        { addresses: ['10.0.0.5'], conditions: { ready: false, terminating: true } },
        { addresses: ['10.0.0.6'], conditions: { ready: false, serving: false, terminating: true } },
        { addresses: ['10.0.0.7'], conditions: { ready: true, serving: false } },
      ]),
    );
    const conditions = Object.fromEntries(cache.endpoints('default', 'web').map((e) => [e.address, [e.ready, e.serving, e.terminating]]));
    expect(conditions).toEqual({
      '10.0.0.1': [true, true, false],
      '10.0.0.2': [true, true, false],
      '10.0.0.3': [true, true, false],
      '10.0.0.4': [false, true, false],
      '10.0.0.5': [false, true, true],
      '10.0.0.6': [false, false, true],
      '10.0.0.7': [true, false, false],
    });
  });

  it('counts an address listed by two slices once, the ready copy winning', () => {
    const cache = new EndpointSliceCache();
    cache.update(slice('web-1', [{ addresses: ['10.0.0.1'], conditions: { ready: false, serving: false, terminating: true } }]));
    cache.update(slice('web-2', [{ addresses: ['10.0.0.1'] }]));
    expect(cache.endpoints('default', 'web').map((e) => [e.address, e.ready, e.serving, e.terminating])).toEqual([['10.0.0.1', true, true, false]]);
  });
});
