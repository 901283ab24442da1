/**
 * Field selectors as kubectl sends them in `fieldSelector=`
 * (`metadata.name=x`, `status.phase!=Running`, `spec.nodeName=`), parsed,
 * printed and matched as k8s.io/apimachinery/pkg/fields does. Which fields a
 * resource supports is the caller's business: see
 * {@link fieldLabelNotSupportedMessage} for the words to reject one with.
 */
import { SelectorParseError } from './label-selector';

export type FieldSelectorOperator = '=' | '==' | '!=';

export interface FieldRequirement {
  field: string;
  /** `==` is kept as written; it means the same as `=`. */
  operator: FieldSelectorOperator;
  /** The value with its escapes (`\,` `\=` `\\`) removed. */
  value: string;
}

/** The fields of an object a selector is matched against; a missing field counts as `''`. */
export type FieldSet = Readonly<Record<string, string>>;

const TERM_OPERATORS: readonly FieldSelectorOperator[] = ['!=', '==', '='];

/** Escapes `\`, `,` and `=` in a value so it can be put in a selector. */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/**
 * Removes a value's escapes. Throws {@link SelectorParseError}
 * (`invalid field selector: invalid escape sequence: \x`, or for a bare `,`
 * or `=`: `invalid field selector: unescaped character in value: 61`, the
 * character's code as Go prints a rune with %v).
 */
export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') {
        throw new SelectorParseError(`invalid field selector: invalid escape sequence: \\${c}`);
      }
      out += c;
      inSlash = false;
      continue;
    }
    if (c === '\\') inSlash = true;
    else if (c === ',' || c === '=') throw new SelectorParseError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (inSlash) throw new SelectorParseError('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Splits on commas that are not escaped. */
function splitTerms(selector: string): string[] {
  if (selector.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

/** The first operator in a term, trying `!=`, `==`, `=` at each position. */
function splitTerm(term: string): [string, FieldSelectorOperator, string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

/** A parsed field selector: the AND of its requirements. */
export class FieldSelector {
  constructor(readonly requirements: readonly FieldRequirement[]) {}

  /** Whether an object's fields satisfy every requirement. */
  matches(fields: FieldSet): boolean {
    return this.requirements.every((r) => {
      const have = Object.prototype.hasOwnProperty.call(fields, r.field) ? fields[r.field]! : '';
      return r.operator === '!=' ? have !== r.value : have === r.value;
    });
  }

  /** Whether it selects everything. */
  isEmpty(): boolean {
    return this.requirements.length === 0;
  }

  /** The value the selector requires `field` to equal, if one of its terms says so. */
  requiresExactMatch(field: string): string | undefined {
    for (const r of this.requirements) if (r.field === field && r.operator !== '!=') return r.value;
    return undefined;
  }

  /**
   * A selector with each requirement rewritten, as the apiserver does to map
   * a version's field names; throw from `fn` to reject a field, return
   * `['', '']` to drop the term.
   */
  transform(fn: (field: string, value: string) => [string, string]): FieldSelector {
    const out: FieldRequirement[] = [];
    for (const r of this.requirements) {
      const [field, value] = fn(r.field, r.value);
      if (field === '' && value === '') continue;
      out.push({ field, operator: r.operator, value });
    }
    return new FieldSelector(out);
  }

  /** Kubernetes' string form: `field=value` or `field!=value`, values escaped, joined by `,`. */
  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator === '!=' ? '!=' : '='}${escapeFieldValue(r.value)}`).join(',');
  }
}

/**
 * Parses a field selector; the empty string selects everything. Terms are
 * sorted as Kubernetes sorts them. Throws {@link SelectorParseError}, e.g.
 * `invalid selector: 'foo'; can't understand 'foo'`.
 */
export function parseFieldSelector(selector: string): FieldSelector {
  const parts = splitTerms(selector).sort();
  const reqs: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const split = splitTerm(part);
    if (!split) throw new SelectorParseError(`invalid selector: '${selector}'; can't understand '${part}'`);
    const [field, operator, rhs] = split;
    reqs.push({ field, operator, value: unescapeFieldValue(rhs) });
  }
  return new FieldSelector(reqs);
}

/** A selector of one `field=value` term. */
export function oneTermEqualSelector(field: string, value: string): FieldSelector {
  return new FieldSelector([{ field, operator: '=', value }]);
}

/** What the apiserver says about a field a resource cannot be selected by: `field label not supported: spec.foo`. */
export function fieldLabelNotSupportedMessage(field: string): string {
  return `field label not supported: ${field}`;
}
