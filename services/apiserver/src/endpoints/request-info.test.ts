import { describe, expect, it } from 'vitest';
import { parseRequestPath } from './request-info';

describe('parseRequestPath (Kubernetes’ RequestInfoFactory)', () => {
  it('reads a namespace’s status and finalize as subresources of the namespace, not as resources in it', () => {
    expect(parseRequestPath('/api/v1/namespaces/team-a/finalize')).toEqual({ kind: 'resource', request: { group: '', version: 'v1', resource: 'namespaces', name: 'team-a', subresource: 'finalize' } });
    expect(parseRequestPath('/api/v1/namespaces/team-a/status')).toEqual({ kind: 'resource', request: { group: '', version: 'v1', resource: 'namespaces', name: 'team-a', subresource: 'status' } });
  });

  it('reads the namespace itself, and resources in a namespace', () => {
    expect(parseRequestPath('/api/v1/namespaces/team-a')).toEqual({ kind: 'resource', request: { group: '', version: 'v1', resource: 'namespaces', name: 'team-a' } });
    expect(parseRequestPath('/api/v1/namespaces')).toEqual({ kind: 'resource', request: { group: '', version: 'v1', resource: 'namespaces' } });
    expect(parseRequestPath('/api/v1/namespaces/team-a/pods/web/log')).toEqual({ kind: 'resource', request: { group: '', version: 'v1', namespace: 'team-a', resource: 'pods', name: 'web', subresource: 'log' } });
    expect(parseRequestPath('/apis/apps/v1/namespaces/team-a/deployments')).toEqual({ kind: 'resource', request: { group: 'apps', version: 'v1', namespace: 'team-a', resource: 'deployments' } });
  });
});
