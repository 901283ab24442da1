import { jsonTypeWord } from '@kubelab/apimachinery';
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
/** A definition's Go type name (io.k8s.api.apps.v1.DeploymentSpec → DeploymentSpec), for decoding errors. */
const goNames = new WeakMap<Schema, string>();

function resolve(schemas: Record<string, Schema>, schema: Schema | undefined): Schema | undefined {
  if (!schema) return undefined;
  if (resolved.has(schema)) return resolved.get(schema);
  let current: Schema | undefined = schema;
  for (let depth = 0; current && depth < 10; depth++) {
    const ref: string | undefined = (current['$ref'] as string | undefined) ?? ((current['allOf'] as Schema[] | undefined)?.[0]?.['$ref'] as string | undefined);
    if (!ref || current['properties']) break;
    const name: string = ref.replace('#/components/schemas/', '');
    current = schemas[name];
    if (current) goNames.set(current, name.slice(name.lastIndexOf('.') + 1));
  }
  resolved.set(schema, current);
  return current;
}

/** What a body's kind schema says about it. */
export interface FieldReport {
  /** The fields the schema does not declare, by their path (removed from the body when pruned). */
  unknown: string[];
  /**
   * The first value Kubernetes' JSON decoding refuses, worded as Go's encoding/json words it:
   * a number that is no integer in an integer field, or beyond int32 in an int32 one
   * (`json: cannot unmarshal number 3000000000 into Go struct field DeploymentSpec.spec.replicas of type int32`).
   */
  decodeError?: string;
}

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

/** The Go type of a scalar field, by its schema's `type/format` (or `type`). */
const GO_SCALAR_TYPES: Record<string, string> = {
  string: 'string',
  boolean: 'bool',
  'integer/int32': 'int32',
  integer: 'int64',
  'number/float': 'float32',
  number: 'float64',
};

/** The word Go's encoding/json uses for the JSON value a scalar field expects. */
const SCALAR_WORDS: Record<string, string> = { string: 'string', boolean: 'bool', integer: 'number', number: 'number' };

/**
 * Walks a request body with its kind's schema. The unknown fields are named as Kubernetes names
 * them (`spec.replicaz`, `spec.template.spec.containers[0].imagez`); with `prune`, they are
 * removed, as Kubernetes' decoding drops them (fieldValidation Warn and Ignore). Patch directives
 * (`$patch`, `$setElementOrder/...`) are not fields. A kind without a schema has no unknown fields.
 */
export function examineFields(type: ResourceType, body: unknown, options: { prune?: boolean } = {}): FieldReport {
  const schemas = schemasOf(type);
  let root = roots.get(type);
  if (!roots.has(type)) roots.set(type, (root = schemas[kindSchemaName(type.group, type.version, type.kind)]));
  const report: FieldReport = { unknown: [] };
  if (!root || !root['properties']) return report;
  // The path so far, one step per level; joined only for a field that is reported.
  const steps: (string | number)[] = [];
  const pathTo = (key: string) => [...steps, key].reduce<string>((path, step) => (typeof step === 'number' ? `${path}[${step}]` : path ? `${path}.${step}` : step), '');
  // Go's path has the field names only (no list indices).
  const goPathTo = (key: string) => [...steps.filter((step): step is string => typeof step === 'string'), key].join('.');
  const checkValue = (value: unknown, schema: Schema | undefined, struct: string, key: string) => {
    if (report.decodeError !== undefined || value === null || !schema) return;
    // Not a scalar field (an object, a list, a quantity or int-or-string, which take either): the walk goes on.
    const expected = SCALAR_WORDS[String(schema['type'])];
    if (!expected) return;
    const word = jsonTypeWord(value);
    const int32 = schema['format'] === 'int32';
    const fits = word === expected && (schema['type'] !== 'integer' || (Number.isInteger(value) && (!int32 || ((value as number) >= INT32.min && (value as number) <= INT32.max))));
    if (fits) return;
    const goType = GO_SCALAR_TYPES[`${String(schema['type'])}/${String(schema['format'] ?? '')}`] ?? GO_SCALAR_TYPES[String(schema['type'])];
    // A number of the right JSON type that does not fit is named with its value, as Go does.
    report.decodeError = `json: cannot unmarshal ${word === expected ? `number ${String(value)}` : word} into Go struct field ${struct}.${goPathTo(key)} of type ${goType}`;
  };
  const walk = (value: unknown, schema: Schema | undefined, name: string | undefined) => {
    const s = resolve(schemas, schema);
    if (!s || value === null || typeof value !== 'object' || s['x-kubernetes-preserve-unknown-fields']) return;
    if (Array.isArray(value)) {
      const items = s['items'] as Schema | undefined;
      for (let i = 0; i < value.length; i++) {
        steps.push(i);
        walk(value[i], items, undefined);
        steps.pop();
      }
      return;
    }
    const properties = s['properties'] as Record<string, Schema> | undefined;
    const additional = s['additionalProperties'] as Schema | undefined;
    const struct = name ?? goNames.get(s) ?? '';
    const object = value as Record<string, unknown>;
    for (const key in object) {
      if (key.startsWith('$')) continue;
      const child = object[key];
      const declared = properties && Object.hasOwn(properties, key) ? properties[key] : additional;
      if (declared) {
        if (declared !== additional) checkValue(child, resolve(schemas, declared), struct, key);
        if (child === null || typeof child !== 'object') continue;
        steps.push(key);
        walk(child, declared, undefined);
        steps.pop();
      } else if (properties) {
        report.unknown.push(pathTo(key));
        if (options.prune) delete object[key];
      }
    }
  };
  walk(body, root, type.kind);
  return report;
}

/** The fields of a request body its kind's schema does not declare (examineFields). */
export function unknownFields(type: ResourceType, body: unknown): string[] {
  return examineFields(type, body).unknown;
}
