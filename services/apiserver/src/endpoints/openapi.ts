import { createHash } from 'node:crypto';
import { groupVersions, RESOURCES } from '../registry/catalog';
import type { ResourceType } from '../registry/types';
import { SERVER_VERSION } from './discovery';
import { DELETE_OPTIONS_SCHEMA, groupVersionSchemas, kindSchemaName, PATCH_SCHEMA, STATUS_SCHEMA } from './openapi-schemas';

/**
 * OpenAPI v3, as far as kubectl needs it today: the discovery root (/openapi/v3) and one document
 * per group version listing each resource's operations, with the `fieldValidation` query
 * parameter and the `x-kubernetes-group-version-kind` extension. That is how kubectl learns the
 * server validates fields itself (`kubectl apply` then sends fieldValidation=Strict instead of
 * validating client-side). `components.schemas` holds the schemas of the kinds, built from
 * Kubernetes' protos (openapi-schemas.ts), which `kubectl explain` prints and `kubectl apply` reads
 * for its strategic merge patch; each operation's request and response refer to them.
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
    const schemas = groupVersionSchemas(group, version, RESOURCES);
    text = JSON.stringify({ openapi: '3.0.0', info: { title: 'Kubernetes', version: SERVER_VERSION.gitVersion }, paths, components: { schemas } });
    documents.set(key, text);
  }
  return text;
}

const RESPONSE_TEXT: Readonly<Record<string, string>> = { '200': 'OK', '201': 'Created', '202': 'Accepted' };

function resourcePaths(type: ResourceType): Record<string, object> {
  const gvk = { group: type.group, version: type.version, kind: type.kind };
  const base = `/${gvPath(type.group, type.version)}${type.namespaced ? '/namespaces/{namespace}' : ''}/${type.resource}`;
  const param = (name: string) => ({ name, in: 'query', schema: { type: 'string', uniqueItems: true } });
  const schema = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const kind = kindSchemaName(type.group, type.version, type.kind);
  const list = kindSchemaName(type.group, type.version, `${type.kind}List`);
  const body = (name: string, contentTypes = ['*/*']) => ({ content: Object.fromEntries(contentTypes.map((c) => [c, { schema: schema(name) }])), required: true });
  const responses = (name: string, codes: string[]) =>
    Object.fromEntries(codes.map((code) => [code, { description: RESPONSE_TEXT[code], content: { 'application/json': { schema: schema(name) } } }]));
  const write = (action: string, extra: object) => ({
    description: `${action} ${type.kind}`,
    operationId: `${action}${type.kind}`,
    parameters: [param('dryRun'), param('fieldManager'), param('fieldValidation')],
    ...extra,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
  });
  const read = (action: string, extra: object) => ({ description: `${action} ${type.kind}`, operationId: `${action}${type.kind}`, ...extra, 'x-kubernetes-action': action, 'x-kubernetes-group-version-kind': gvk });
  const patchTypes = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];
  return {
    [base]: {
      get: read('list', { responses: responses(list, ['200']) }),
      post: write('post', { requestBody: body(kind), responses: responses(kind, ['200', '201', '202']) }),
      delete: read('deletecollection', { requestBody: body(DELETE_OPTIONS_SCHEMA), responses: responses(STATUS_SCHEMA, ['200']) }),
    },
    [`${base}/{name}`]: {
      get: read('get', { responses: responses(kind, ['200']) }),
      put: write('put', { requestBody: body(kind), responses: responses(kind, ['200', '201']) }),
      patch: write('patch', { requestBody: body(PATCH_SCHEMA, patchTypes), responses: responses(kind, ['200', '201']) }),
      delete: read('delete', { requestBody: body(DELETE_OPTIONS_SCHEMA), responses: responses(STATUS_SCHEMA, ['200', '202']) }),
    },
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

