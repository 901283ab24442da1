/**
 * What a request is about, read from its path as Kubernetes' RequestInfoFactory does:
 * /api/v1/namespaces/default/pods/web-1/log → group "", version v1, namespace default,
 * resource pods, name web-1, subresource log.
 */
export interface ResourceRequest {
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
}

export type RequestTarget =
  | { kind: 'resource'; request: ResourceRequest }
  | { kind: 'discovery-root'; api: 'api' | 'apis' }
  | { kind: 'discovery-group'; group: string }
  | { kind: 'discovery-version'; group: string; version: string }
  | { kind: 'version' }
  | { kind: 'health'; check: 'healthz' | 'livez' | 'readyz' }
  | { kind: 'metrics' }
  | { kind: 'openapi'; path: string }
  | { kind: 'unknown' };

export function parseRequestPath(pathname: string): RequestTarget {
  const parts = pathname.split('/').filter(Boolean);
  if (pathname.includes('%')) for (let i = 0; i < parts.length; i++) parts[i] = decodeURIComponent(parts[i]!);
  if (parts.length === 0) return { kind: 'unknown' };
  const [root, ...rest] = parts;
  if (root === 'version' && rest.length === 0) return { kind: 'version' };
  if ((root === 'healthz' || root === 'livez' || root === 'readyz') && rest.length <= 1) return { kind: 'health', check: root };
  if (root === 'metrics' && rest.length === 0) return { kind: 'metrics' };
  if (root === 'openapi') return { kind: 'openapi', path: rest.join('/') };
  let group: string;
  let version: string | undefined;
  let tail: string[];
  if (root === 'api') {
    if (rest.length === 0) return { kind: 'discovery-root', api: 'api' };
    group = '';
    [version, ...tail] = rest;
  } else if (root === 'apis') {
    if (rest.length === 0) return { kind: 'discovery-root', api: 'apis' };
    if (rest.length === 1) return { kind: 'discovery-group', group: rest[0]! };
    [group, version, ...tail] = rest as [string, string, ...string[]];
  } else {
    return { kind: 'unknown' };
  }
  if (!version) return { kind: 'unknown' };
  if (tail.length === 0) return { kind: 'discovery-version', group, version };
  // /namespaces/{ns}/{resource}/... ; but /namespaces and /namespaces/{name}[/status|finalize] are the namespace resource itself
  // (RequestInfoFactory's namespaceSubresources: "status" and "finalize" after a namespace are its subresources).
  if (tail[0] === 'namespaces' && tail.length >= 3 && !NAMESPACE_SUBRESOURCES.has(tail[2]!)) {
    const [, namespace, resource, name, subresource, ...more] = tail;
    if (more.length > 0 && subresource !== 'proxy') return { kind: 'unknown' };
    return { kind: 'resource', request: { group, version, namespace, resource: resource!, name, subresource } };
  }
  const [resource, name, subresource, ...more] = tail;
  if (more.length > 0 && subresource !== 'proxy') return { kind: 'unknown' };
  return { kind: 'resource', request: { group, version, resource: resource!, name, subresource } };
}

/** What follows /namespaces/{name} as a subresource of the namespace rather than a resource in it. */
const NAMESPACE_SUBRESOURCES: ReadonlySet<string> = new Set(['status', 'finalize']);
