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
 * Builds every served group version's schemas now (about 100 ms, from Kubernetes' protos): at
 * start-up, so the first create of a lab does not wait for it.
 */
export function prepareSchemas(types: readonly ResourceType[] = RESOURCES): void {
  for (const type of types) schemasOf(type);
}

/** Each kind's schema, looked up by its name once. */
const roots = new WeakMap<ResourceType, Schema | undefined>();

/**
 * Each schema with its `$ref` (or `allOf: [{$ref}]`) followed, so a walk resolves each once. One
 * map for every document: the schema builder shares a definition's object between the group
 * versions that refer to it, and a `$ref` names the same definition in each.
 */
const resolved = new WeakMap<Schema, Schema | undefined>();

function resolve(schemas: Record<string, Schema>, schema: Schema | undefined): Schema | undefined {
  if (!schema) return undefined;
  if (resolved.has(schema)) return resolved.get(schema);
  let current: Schema | undefined = schema;
  for (let depth = 0; current && depth < 10; depth++) {
    const ref: string | undefined = (current['$ref'] as string | undefined) ?? ((current['allOf'] as Schema[] | undefined)?.[0]?.['$ref'] as string | undefined);
    if (!ref || current['properties']) break;
    current = schemas[ref.replace('#/components/schemas/', '')];
  }
  resolved.set(schema, current);
  return current;
}

/**
 * The fields of a request body its kind's schema does not declare, as Kubernetes names them
 * (`spec.replicaz`, `spec.template.spec.containers[0].imagez`). Patch directives (`$patch`,
 * `$setElementOrder/...`) are not fields. A kind without a schema has no unknown fields.
 */
export function unknownFields(type: ResourceType, body: unknown): string[] {
  const schemas = schemasOf(type);
  let root = roots.get(type);
  if (!roots.has(type)) roots.set(type, (root = schemas[kindSchemaName(type.group, type.version, type.kind)]));
  if (!root || !root['properties']) return [];
  const found: string[] = [];
  // The path so far, one step per level; joined only for a field that is reported.
  const steps: (string | number)[] = [];
  const pathTo = (key: string) => [...steps, key].reduce<string>((path, step) => (typeof step === 'number' ? `${path}[${step}]` : path ? `${path}.${step}` : step), '');
  const walk = (value: unknown, schema: Schema | undefined) => {
    const s = resolve(schemas, schema);
    if (!s || value === null || typeof value !== 'object' || s['x-kubernetes-preserve-unknown-fields']) return;
    if (Array.isArray(value)) {
      const items = s['items'] as Schema | undefined;
      for (let i = 0; i < value.length; i++) {
        steps.push(i);
        walk(value[i], items);
        steps.pop();
      }
      return;
    }
    const properties = s['properties'] as Record<string, Schema> | undefined;
    const additional = s['additionalProperties'] as Schema | undefined;
    for (const key in value as Record<string, unknown>) {
      if (key.startsWith('$')) continue;
      const child = (value as Record<string, unknown>)[key];
      const declared = properties && Object.hasOwn(properties, key) ? properties[key] : additional;
      if (declared) {
        if (child === null || typeof child !== 'object') continue;
        steps.push(key);
        walk(child, declared);
        steps.pop();
      } else if (properties) found.push(pathTo(key));
    }
  };
  walk(body, root);
  return found;
}
