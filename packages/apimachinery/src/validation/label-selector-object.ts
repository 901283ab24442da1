/**
 * The API's LabelSelector object (`matchLabels` + `matchExpressions`, as in a
 * Deployment's `spec.selector`): validation with Kubernetes' messages,
 * conversion to a {@link LabelSelector}, matching, and the string forms
 * kubectl prints (k8s.io/apimachinery/pkg/apis/meta/v1 helpers and validation).
 */
import { aggregateMessage, forbidden, invalid, required, type FieldError } from '../errors/field-error';
import type { FieldPath } from './field-path';
import { LabelSelector, SelectorParseError, validateRequirement, Requirement, type Labels, type SelectionOperator } from './label-selector';
import { parseLabelRequirements } from './label-selector-parser';
import { isValidLabelValue, validateLabelName, validateLabels } from './labels';
import { invalidEach } from './messages';

export type LabelSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface LabelSelectorRequirement {
  key: string;
  /** One of {@link LabelSelectorOperator}; anything else fails validation. */
  operator: string;
  values?: string[];
}

export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface LabelSelectorValidationOptions {
  /** Skip checking expression values as label values (Kubernetes allows this for some old objects). */
  allowInvalidLabelValueInSelector?: boolean;
}

const OPERATOR_TO_SELECTION: Readonly<Record<LabelSelectorOperator, SelectionOperator>> = {
  In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!',
};

/** One matchExpressions entry, with errors under `path` (`...matchExpressions[0]`). */
export function validateLabelSelectorRequirement(
  sr: LabelSelectorRequirement, path: FieldPath, opts: LabelSelectorValidationOptions = {},
): FieldError[] {
  const errs: FieldError[] = [];
  const values = sr.values ?? [];
  switch (sr.operator) {
    case 'In': case 'NotIn':
      if (values.length === 0) errs.push(required(path.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists': case 'DoesNotExist':
      if (values.length > 0) errs.push(forbidden(path.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    default:
      errs.push(invalid(path.child('operator'), sr.operator, 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(sr.key, path.child('key')));
  if (!opts.allowInvalidLabelValueInSelector) {
    values.forEach((v, i) => errs.push(...invalidEach(path.child('values').index(i), v, isValidLabelValue(v))));
  }
  return errs;
}

/**
 * A LabelSelector object, e.g. at `spec.selector`: matchLabels errors at
 * `spec.selector.matchLabels`, expression errors at `spec.selector.matchExpressions[i]...`.
 */
export function validateLabelSelector(
  ps: LabelSelectorObject | null | undefined, path: FieldPath, opts: LabelSelectorValidationOptions = {},
): FieldError[] {
  if (!ps) return [];
  const errs = validateLabels(ps.matchLabels, path.child('matchLabels'));
  (ps.matchExpressions ?? []).forEach((expr, i) => {
    errs.push(...validateLabelSelectorRequirement(expr, path.child('matchExpressions').index(i), opts));
  });
  return errs;
}

/**
 * The selector a LabelSelector object stands for: null or undefined matches
 * nothing, an empty object everything. Throws {@link SelectorParseError}
 * (`"Foo" is not a valid label selector operator`, or requirement errors).
 */
export function labelSelectorAsSelector(ps: LabelSelectorObject | null | undefined): LabelSelector {
  if (!ps) return LabelSelector.nothing();
  const matchLabels = Object.entries(ps.matchLabels ?? {});
  const exprs = ps.matchExpressions ?? [];
  if (matchLabels.length + exprs.length === 0) return LabelSelector.everything();
  const reqs: Requirement[] = [];
  const add = (key: string, op: SelectionOperator, values: readonly string[]): void => {
    const msg = aggregateMessage(validateRequirement(key, op, values));
    if (msg !== undefined) throw new SelectorParseError(msg);
    reqs.push(new Requirement(key, op, [...values]));
  };
  for (const [k, v] of matchLabels) add(k, '=', [v]);
  for (const expr of exprs) {
    if (!Object.prototype.hasOwnProperty.call(OPERATOR_TO_SELECTION, expr.operator)) {
      throw new SelectorParseError(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
    }
    add(expr.key, OPERATOR_TO_SELECTION[expr.operator as LabelSelectorOperator], expr.values ?? []);
  }
  return LabelSelector.of(reqs);
}

/** Whether labels match a LabelSelector object (null matches nothing; an invalid selector matches nothing). */
export function matchesLabelSelector(ps: LabelSelectorObject | null | undefined, labels: Labels): boolean {
  try {
    return labelSelectorAsSelector(ps).matches(labels);
  } catch {
    return false;
  }
}

/** How kubectl describe prints a LabelSelector object: the selector string, `<none>` if empty, `<error>` if invalid. */
export function formatLabelSelector(ps: LabelSelectorObject | null | undefined): string {
  let s: string;
  try {
    s = labelSelectorAsSelector(ps).toString();
  } catch {
    return '<error>';
  }
  return s.length === 0 ? '<none>' : s;
}

/**
 * A selector string as a LabelSelector object, as kubectl builds one
 * (metav1.ParseToLabelSelector): `=`/`==` go to matchLabels, set operators
 * to matchExpressions; `!=`, `gt` and `lt` cannot be expressed and throw.
 */
export function parseToLabelSelector(selector: string): LabelSelectorObject {
  let reqs: Requirement[];
  try {
    reqs = parseLabelRequirements(selector);
  } catch (e) {
    throw new SelectorParseError(`couldn't parse the selector string "${selector}": ${(e as Error).message}`);
  }
  const out: Required<LabelSelectorObject> = { matchLabels: {}, matchExpressions: [] };
  for (const r of reqs) {
    switch (r.operator) {
      case '=': case '==':
        out.matchLabels[r.key] = r.values[0]!;
        continue;
      case 'gt': case 'lt':
        throw new SelectorParseError(`${JSON.stringify(r.operator)} isn't supported in label selectors`);
      case '!=':
        throw new SelectorParseError(`${JSON.stringify(r.operator)} is not a valid label selector operator`);
    }
    const op = (Object.keys(OPERATOR_TO_SELECTION) as LabelSelectorOperator[]).find((k) => OPERATOR_TO_SELECTION[k] === r.operator)!;
    out.matchExpressions.push({ key: r.key, operator: op, values: [...new Set(r.values)].sort() });
  }
  return out;
}
