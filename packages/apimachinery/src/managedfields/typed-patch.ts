import { fieldOf, itemsOf, type FieldLocation } from '../patch/patch-meta';
import { getKey, isObject, type JsonValue } from '../patch/json-value';
import { listTypeAt } from './fields-v1';

/**
 * What an apply configuration must be before it can be merged, as structured-merge-diff checks
 * it when it turns the configuration into a typed object: every item of a list map names each
 * of its keys (or the key has a default: a port's protocol), and no two items of a list map or a
 * set are the same. The errors, in structured-merge-diff's words, with its paths
 * (`.spec.template.spec.containers[name="c"].env: duplicate entries for key [name="FOO"]`), in
 * the order met, object fields by name. Empty when the configuration is fine.
 */
export function typedPatchErrors(config: JsonValue, kind: string): string[] {
  const errors: string[] = [];
  walk(config, { kind, path: '' }, '', errors);
  return errors;
}

/** structured-merge-diff's ValidationErrors as one message: the one error, or `errors:` and each on a line. */
export function validationErrorsText(errors: string[]): string {
  return errors.length === 1 ? errors[0]! : ['errors:', ...errors.map((e) => `  ${e}`)].join('\n');
}

function walk(value: JsonValue, at: FieldLocation, path: string, errors: string[]): void {
  if (isObject(value)) {
    for (const name of Object.keys(value).sort()) walk(value[name]!, fieldOf(at, name), `${path}.${name}`, errors);
    return;
  }
  if (!Array.isArray(value)) return;
  const type = listTypeAt(at);
  const items = itemsOf(at);
  const seen = new Set<string>();
  value.forEach((item, index) => {
    let element: string;
    if (!type) element = `[${index}]`;
    else if (type === 'set') {
      if (isObject(item) || Array.isArray(item)) return; // kubelab's sets hold scalars; anything else is the object validation's to refuse
      element = `[=${scalarText(item)}]`;
    } else {
      if (!isObject(item)) {
        errors.push(`${path}: element ${index}: associative list with keys may not have ${item === null ? 'a null element' : 'non-map elements'}`);
        return;
      }
      const fields: string[] = [];
      for (const key of [...type.keys].sort()) {
        const given = getKey(item, key);
        const keyValue = given !== undefined && given !== null ? given : getKey(type.defaults, key);
        if (keyValue === undefined) {
          errors.push(`${path}: element ${index}: associative list with keys has an element that omits key field ${JSON.stringify(key)} (and doesn't have default value)`);
          return;
        }
        fields.push(`${key}=${scalarText(keyValue)}`);
      }
      element = `[${fields.join(',')}]`;
    }
    if (type) {
      if (seen.has(element)) errors.push(`${path}: duplicate entries for key ${element}`);
      seen.add(element);
    }
    walk(item, items, `${path}${element}`, errors);
  });
}

/** A key's value as structured-merge-diff prints it: strings quoted, numbers and booleans bare (JSON's own text). */
function scalarText(value: JsonValue): string {
  return JSON.stringify(value);
}
