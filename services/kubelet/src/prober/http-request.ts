import { resolveContainerPort, joinHostPort } from './container-port';
import type { Container, HTTPGetAction } from './probe-spec';

/** The Kubernetes minor the lab speaks as: probes say `User-Agent: kube-probe/1.32`, hooks `kube-lifecycle/1.32`. */
const userAgent = (kind: 'probe' | 'lifecycle') => `kube-${kind}/1.32`;
export const KUBE_PROBE_USER_AGENT = userAgent('probe');

/**
 * An httpGet probe's request (probe/http.NewRequestForHTTPGetAction): where it goes, the URL as
 * Go prints it in messages, and its headers keyed as Go's http.Header keys them.
 */
export interface HTTPProbeRequest {
  url: URL;
  /** The URL as Go's url.URL.String() prints it (an empty path stays empty). */
  display: string;
  headers: Map<string, string[]>;
}

/**
 * Builds the request of an httpGet action: scheme (lowercased, default http), host (default the
 * pod's IP), the port by number or name, the path as given; the action's headers, plus
 * `User-Agent: kube-probe/<major.minor>` (kube-lifecycle for a hook) and `Accept: *\/*` unless
 * the action sets them (an empty Accept removes it). Throws when the port cannot be resolved.
 */
export function newRequestForHTTPGetAction(action: HTTPGetAction, container: Pick<Container, 'ports'>, podIP: string, kind: 'probe' | 'lifecycle' = 'probe'): HTTPProbeRequest {
  const scheme = (action.scheme ?? '').toLowerCase() || 'http';
  const host = action.host || podIP;
  const port = resolveContainerPort(action.port, container);
  const base = `${scheme}://${joinHostPort(host, port)}`;
  const path = action.path ?? '';
  const url = new URL(base);
  const [withoutFragment = ''] = path.split('#');
  const query = withoutFragment.indexOf('?');
  url.pathname = query < 0 ? withoutFragment : withoutFragment.slice(0, query);
  if (query >= 0) url.search = withoutFragment.slice(query);
  const display = path === '' ? base : url.href;

  const headers = new Map<string, string[]>();
  for (const header of action.httpHeaders ?? []) {
    const key = canonicalHeaderKey(header.name);
    headers.set(key, [...(headers.get(key) ?? []), header.value]);
  }
  if (!headers.has('User-Agent')) headers.set('User-Agent', [userAgent(kind)]);
  if (!headers.has('Accept')) headers.set('Accept', ['*/*']);
  else if (!headers.get('Accept')?.[0]) headers.delete('Accept');
  return { url, display, headers };
}

/** Go's textproto.CanonicalMIMEHeaderKey: `x-custom-header` → `X-Custom-Header`. */
export function canonicalHeaderKey(name: string): string {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) return name;
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase());
}
