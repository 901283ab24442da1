import { createHash } from 'node:crypto';
import { groupVersions, RESOURCES } from '../registry/catalog';
import type { ResourceType } from '../registry/types';
import { SERVER_VERSION } from './discovery';

/**
 * OpenAPI v3, as far as kubectl needs it today: the discovery root (/openapi/v3) and one document
 * per group version listing each resource's operations, with the `fieldValidation` query
 * parameter and the `x-kubernetes-group-version-kind` extension. That is how kubectl learns the
 * server validates fields itself (`kubectl apply` then sends fieldValidation=Strict instead of
 * validating client-side). Schemas of the kinds (for `kubectl explain`) are not served yet.
 */
function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

const documents = new Map<string, string>();

function document(group: string, version: string): string {
  const key = gvPath(group, version);
  let text = documents.get(key);
  if (!text) {
    const paths: Record<string, object> = {};
    for (const type of RESOURCES.filter((r) => r.group === group && r.version === version)) Object.assign(paths, resourcePaths(type));
    text = JSON.stringify({ openapi: '3.0.0', info: { title: 'Kubernetes', version: SERVER_VERSION.gitVersion }, paths, components: { schemas: {} } });
    documents.set(key, text);
  }
  return text;
}

function resourcePaths(type: ResourceType): Record<string, object> {
  const gvk = { group: type.group, version: type.version, kind: type.kind };
  const base = `/${gvPath(type.group, type.version)}${type.namespaced ? '/namespaces/{namespace}' : ''}/${type.resource}`;
  const param = (name: string) => ({ name, in: 'query', schema: { type: 'string', uniqueItems: true } });
  const write = (action: string) => ({
    description: `${action} ${type.kind}`,
    operationId: `${action}${type.kind}`,
    parameters: [param('dryRun'), param('fieldManager'), param('fieldValidation')],
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
  });
  const read = (action: string) => ({ description: `${action} ${type.kind}`, operationId: `${action}${type.kind}`, 'x-kubernetes-action': action, 'x-kubernetes-group-version-kind': gvk });
  return {
    [base]: { get: read('list'), post: write('post'), delete: read('deletecollection') },
    [`${base}/{name}`]: { get: read('get'), put: write('put'), patch: write('patch'), delete: read('delete') },
  };
}

/** GET /openapi/v3 and /openapi/v3/<api|apis/group>/<version>; undefined for anything else. */
export function openapiV3(path: string): object | string | undefined {
  if (path === 'v3') {
    const paths: Record<string, object> = {};
    for (const { group, version } of groupVersions()) {
      const hash = createHash('sha512').update(document(group, version)).digest('hex').slice(0, 128).toUpperCase();
      paths[gvPath(group, version)] = { serverRelativeURL: `/openapi/v3/${gvPath(group, version)}?hash=${hash}` };
    }
    return { paths };
  }
  const match = /^v3\/(?:api\/([^/]+)|apis\/([^/]+)\/([^/]+))$/.exec(path);
  if (!match) return undefined;
  const [group, version] = match[1] ? ['', match[1]] : [match[2]!, match[3]!];
  if (!groupVersions().some((gv) => gv.group === group && gv.version === version)) return undefined;
  return document(group, version);
}

