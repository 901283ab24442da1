import { RESOURCES } from '../registry/catalog';
import type { ResourceType } from '../registry/types';
import { groupVersionSchemas, kindSchemaName, type Schema } from './openapi-schemas';

/** kube-apiserver's `fieldValidation` query parameter: what to do about fields the schema lacks. */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidationOf(value: string | null): FieldValidation {
  // Kubernetes' default when the client says nothing is Warn; kubectl sends Strict.
  return value === 'Strict' || value === 'Ignore' ? value : 'Warn';
}

const documents = new Map<string, Record<string, Schema>>();

function schemasOf(type: ResourceType): Record<string, Schema> {
  const key = `${type.group}/${type.version}`;
  let schemas = documents.get(key);
  if (!schemas) documents.set(key, (schemas = groupVersionSchemas(type.group, type.version, RESOURCES)));
  return schemas;
}

/**
 * The fields of a request body its kind's schema does not declare, as Kubernetes names them
 * (`spec.replicaz`, `spec.template.spec.containers[0].imagez`). Patch directives (`$patch`,
 * `$setElementOrder/...`) are not fields. A kind without a schema has no unknown fields.
 */
export function unknownFields(type: ResourceType, body: unknown): string[] {
  const schemas = schemasOf(type);
  const root = schemas[kindSchemaName(type.group, type.version, type.kind)];
  if (!root || !root['properties']) return [];
  const found: string[] = [];
  const resolve = (schema: Schema | undefined): Schema | undefined => {
    let current = schema;
    for (let depth = 0; current && depth < 10; depth++) {
      const ref = (current['$ref'] as string | undefined) ?? ((current['allOf'] as Schema[] | undefined)?.[0]?.['$ref'] as string | undefined);
      if (!ref || current['properties']) return current;
      current = schemas[ref.replace('#/components/schemas/', '')];
    }
    return current;
  };
  const walk = (value: unknown, schema: Schema | undefined, path: string) => {
    const s = resolve(schema);
    if (!s || value === null || typeof value !== 'object' || s['x-kubernetes-preserve-unknown-fields']) return;
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, s['items'] as Schema | undefined, `${path}[${i}]`));
      return;
    }
    const properties = s['properties'] as Record<string, Schema> | undefined;
    const additional = s['additionalProperties'] as Schema | undefined;
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      if (key.startsWith('$')) continue;
      const childPath = path ? `${path}.${key}` : key;
      if (properties && key in properties) walk(child, properties[key], childPath);
      else if (additional) walk(child, additional, childPath);
      else if (properties) found.push(childPath);
    }
  };
  walk(body, root, '');
  return found;
}
