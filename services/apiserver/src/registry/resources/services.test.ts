import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../types';
import { services } from './services';

const create = (spec: Record<string, unknown>) => {
  const service = { metadata: { name: 'web', namespace: 'default' }, spec } as KubeObject;
  services.strategy.prepareForCreate!(service);
  return service;
};

describe('Service defaults (SetDefaults_Service)', () => {
  it('defaults a bare Service to a single-stack IPv4 ClusterIP one, its ports TCP to the same port', () => {
    const service = create({ selector: { app: 'web' }, ports: [{ port: 80 }, { port: 443, name: 'https', targetPort: 'https' }] });
    expect(service.spec).toEqual({
      selector: { app: 'web' },
      type: 'ClusterIP',
      sessionAffinity: 'None',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
      ports: [
        { port: 80, protocol: 'TCP', targetPort: 80 },
        { port: 443, name: 'https', protocol: 'TCP', targetPort: 'https' },
      ],
    });
    expect(service.spec).not.toHaveProperty('externalTrafficPolicy');
    expect(service.status).toEqual({ loadBalancer: {} });
  });

  it('takes a targetPort of 0 or "" as unset, and keeps a UDP port UDP', () => {
    const service = create({ ports: [{ port: 53, protocol: 'UDP', targetPort: 0 }, { port: 8080, targetPort: '' }] });
    expect(service.spec!.ports).toEqual([
      { port: 53, protocol: 'UDP', targetPort: 53 },
      { port: 8080, protocol: 'TCP', targetPort: 8080 },
    ]);
  });

  it.each(['NodePort', 'LoadBalancer'])('defaults externalTrafficPolicy to Cluster for a %s Service', (type) => {
    expect(create({ type, ports: [{ port: 80 }] }).spec).toMatchObject({ type, externalTrafficPolicy: 'Cluster', internalTrafficPolicy: 'Cluster' });
    expect(create({ type, externalTrafficPolicy: 'Local', ports: [{ port: 80 }] }).spec).toMatchObject({ externalTrafficPolicy: 'Local' });
  });

  it('keeps what is set: affinity, policies, families', () => {
    const spec = { type: 'ClusterIP', sessionAffinity: 'ClientIP', internalTrafficPolicy: 'Local', ipFamilies: ['IPv4'], ipFamilyPolicy: 'PreferDualStack', ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] };
    expect(create(structuredClone(spec)).spec).toEqual(spec);
  });

  it('gives an ExternalName Service no IP families nor traffic policies', () => {
    expect(create({ type: 'ExternalName', externalName: 'example.com' }).spec).toEqual({ type: 'ExternalName', externalName: 'example.com', sessionAffinity: 'None' });
  });
});
