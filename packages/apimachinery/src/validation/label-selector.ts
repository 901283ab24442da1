/**
 * Label selectors: requirements (`app=web`, `tier in (a,b)`, `!canary`...),
 * their validation and matching, and the selector as a whole, behaving and
 * worded as k8s.io/apimachinery/pkg/labels. Parsing a selector string is in
 * label-selector-parser.ts; the API's LabelSelector object in label-selector-object.ts.
 */
import { aggregateMessage, invalid, notSupported, type FieldError } from '../errors/field-error';
import { childOf, type FieldPath } from './field-path';
import { isQualifiedName, isValidLabelValue } from './labels';

/** selection.Operator: the operators of a label (or field) requirement, as Kubernetes spells them. */
export type SelectionOperator = '!' | '=' | '==' | 'in' | '!=' | 'notin' | 'exists' | 'gt' | 'lt';

export const BINARY_OPERATORS: readonly SelectionOperator[] = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];
export const UNARY_OPERATORS: readonly SelectionOperator[] = ['exists', '!'];
const VALID_OPERATORS: readonly string[] = [...BINARY_OPERATORS, ...UNARY_OPERATORS];

/** A label set to match against: an object's `metadata.labels`. */
export type Labels = Readonly<Record<string, string>>;

/** A bad selector; its message is Kubernetes' (the apiserver answers it as a 400 BadRequest). */
export class SelectorParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorParseError';
  }
}

function lookup(labels: Labels, key: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(labels, key) ? labels[key] : undefined;
}

/** Go's strconv.ParseInt(s, 10, 64), or undefined when it would fail. */
export function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const v = BigInt(s);
  return v >= -(2n ** 63n) && v < 2n ** 63n ? v : undefined;
}

/** One requirement of a label selector. Build it with {@link newRequirement}. */
export class Requirement {
  constructor(
    readonly key: string,
    readonly operator: SelectionOperator,
    readonly values: readonly string[],
  ) {}

  /** Whether a label set satisfies this requirement (a missing key satisfies `!=`, `notin` and `!`). */
  matches(labels: Labels): boolean {
    const val = lookup(labels, this.key);
    switch (this.operator) {
      case 'in': case '=': case '==':
        return val !== undefined && this.values.includes(val);
      case 'notin': case '!=':
        return val === undefined || !this.values.includes(val);
      case 'exists':
        return val !== undefined;
      case '!':
        return val === undefined;
      case 'gt': case 'lt': {
        if (val === undefined || this.values.length !== 1) return false;
        const have = parseInt64(val);
        const want = parseInt64(this.values[0]!);
        if (have === undefined || want === undefined) return false;
        return this.operator === 'gt' ? have > want : have < want;
      }
    }
  }

  /** `key=value`, `key in (a,b)`, `!key`... (several values sorted, as Kubernetes prints them). */
  toString(): string {
    const op = this.operator;
    if (op === 'exists') return this.key;
    if (op === '!') return `!${this.key}`;
    const vals = this.values.length === 1 ? this.values[0]! : [...this.values].sort().join(',');
    switch (op) {
      case 'in': return `${this.key} in (${vals})`;
      case 'notin': return `${this.key} notin (${vals})`;
      case 'gt': return `${this.key}>${vals}`;
      case 'lt': return `${this.key}<${vals}`;
      default: return `${this.key}${op}${vals}`;
    }
  }
}

/** A label key as the selector parser checks it: one error joining every message with `; `. */
export function validateLabelKey(key: string, path: FieldPath | null): FieldError | undefined {
  const errs = isQualifiedName(key);
  return errs.length > 0 ? invalid(path, key, errs.join('; ')) : undefined;
}

function validateLabelValue(key: string, value: string, path: FieldPath): FieldError | undefined {
  const errs = isValidLabelValue(value);
  return errs.length > 0 ? invalid(path.key(key), value, errs.join('; ')) : undefined;
}

/**
 * What is wrong with a requirement (labels.NewRequirement's checks): the key,
 * the number of values for the operator, Gt/Lt values being integers, and
 * each value. `path` prefixes `key`, `values[i]` and `operator`.
 */
export function validateRequirement(key: string, op: string, values: readonly string[], path: FieldPath | null = null): FieldError[] {
  const errs: FieldError[] = [];
  const keyErr = validateLabelKey(key, childOf(path, 'key'));
  if (keyErr) errs.push(keyErr);
  const valuePath = childOf(path, 'values');
  switch (op) {
    case 'in': case 'notin':
      if (values.length === 0) errs.push(invalid(valuePath, values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=': case '==': case '!=':
      if (values.length !== 1) errs.push(invalid(valuePath, values, 'exact-match compatibility requires one single value'));
      break;
    case 'exists': case '!':
      if (values.length !== 0) errs.push(invalid(valuePath, values, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt': case 'lt':
      if (values.length !== 1) errs.push(invalid(valuePath, values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) errs.push(invalid(valuePath.index(i), v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
    default:
      errs.push(notSupported(childOf(path, 'operator'), op, VALID_OPERATORS));
  }
  values.forEach((v, i) => {
    const e = validateLabelValue(key, v, valuePath.index(i));
    if (e) errs.push(e);
  });
  return errs;
}

/** A validated requirement; throws {@link SelectorParseError} with Kubernetes' aggregated message. */
export function newRequirement(key: string, op: SelectionOperator, values: readonly string[], path: FieldPath | null = null): Requirement {
  const msg = aggregateMessage(validateRequirement(key, op, values, path));
  if (msg !== undefined) throw new SelectorParseError(msg);
  return new Requirement(key, op, [...values]);
}

/** A label selector: the AND of its requirements, kept sorted by key. */
export class LabelSelector {
  private constructor(
    readonly requirements: readonly Requirement[],
    private readonly matchesNothing: boolean,
  ) {}

  static of(requirements: readonly Requirement[]): LabelSelector {
    // A stable sort by key, as Kubernetes sorts parsed requirements.
    const sorted = [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return new LabelSelector(sorted, false);
  }

  /** Matches every label set (an empty selector). */
  static everything(): LabelSelector {
    return new LabelSelector([], false);
  }

  /** Matches no label set (what a nil LabelSelector object means). */
  static nothing(): LabelSelector {
    return new LabelSelector([], true);
  }

  matches(labels: Labels): boolean {
    if (this.matchesNothing) return false;
    return this.requirements.every((r) => r.matches(labels));
  }

  /** Whether it selects everything. */
  isEmpty(): boolean {
    return !this.matchesNothing && this.requirements.length === 0;
  }

  /** Whether it is the match-nothing selector. */
  isNothing(): boolean {
    return this.matchesNothing;
  }

  /** A copy with more requirements. */
  add(...reqs: Requirement[]): LabelSelector {
    return this.matchesNothing ? this : LabelSelector.of([...this.requirements, ...reqs]);
  }

  /** The single value the selector requires `key` to have (`=`, `==`, or `in` with one value), if any. */
  requiresExactMatch(key: string): string | undefined {
    for (const r of this.requirements) {
      if (r.key !== key) continue;
      if ((r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1) return r.values[0];
      return undefined;
    }
    return undefined;
  }

  /** The selector in Kubernetes' string form: requirements joined by `,`. */
  toString(): string {
    return this.requirements.map((r) => r.toString()).join(',');
  }
}

/** A selector requiring exactly the given labels (no validation, as SelectorFromSet). */
export function selectorFromSet(set: Labels | undefined): LabelSelector {
  return LabelSelector.of(Object.entries(set ?? {}).map(([k, v]) => new Requirement(k, '=', [v])));
}

/** As {@link selectorFromSet}, validating keys and values; throws {@link SelectorParseError}. */
export function validatedSelectorFromSet(set: Labels | undefined): LabelSelector {
  return LabelSelector.of(Object.entries(set ?? {}).map(([k, v]) => newRequirement(k, '=', [v])));
}
