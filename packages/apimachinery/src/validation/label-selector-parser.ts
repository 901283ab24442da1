/**
 * The label selector string syntax kubectl sends as `labelSelector=`
 * (`a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`,
 * comma-separated), parsed with the same lexer and grammar as
 * k8s.io/apimachinery/pkg/labels so that errors read the same.
 */
import type { FieldPath } from './field-path';
import {
  BINARY_OPERATORS,
  LabelSelector,
  newRequirement,
  SelectorParseError,
  validateLabelKey,
  type Requirement,
  type SelectionOperator,
} from './label-selector';

type Token =
  | 'Error' | 'EndOfString' | 'ClosedPar' | 'Comma' | 'DoesNotExist' | 'DoubleEquals' | 'Equals'
  | 'GreaterThan' | 'Identifier' | 'In' | 'LessThan' | 'NotEquals' | 'NotIn' | 'OpenPar';

const STRING_TO_TOKEN: Readonly<Record<string, Token>> = {
  ')': 'ClosedPar', ',': 'Comma', '!': 'DoesNotExist', '==': 'DoubleEquals', '=': 'Equals', '>': 'GreaterThan',
  in: 'In', '<': 'LessThan', '!=': 'NotEquals', notin: 'NotIn', '(': 'OpenPar',
};

function tokenOf(s: string): Token | undefined {
  return Object.prototype.hasOwnProperty.call(STRING_TO_TOKEN, s) ? STRING_TO_TOKEN[s] : undefined;
}

interface Item { tok: Token; lit: string }

const isWhitespace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecial = (ch: string): boolean => '=!(),><'.includes(ch) && ch.length === 1;

/** Splits a selector into tokens; the end of input (or a NUL, as in Go's lexer) ends it. */
function lex(s: string): Item[] {
  let pos = 0;
  const read = (): string => (pos < s.length ? s[pos++]! : '\0');
  const unread = (): void => { pos--; };
  const items: Item[] = [];
  for (;;) {
    let ch = read();
    while (isWhitespace(ch)) ch = read();
    let item: Item;
    if (ch === '\0') {
      item = { tok: 'EndOfString', lit: '' };
    } else if (isSpecial(ch)) {
      unread();
      let buf = '';
      let last: Item | undefined;
      for (;;) {
        const c = read();
        if (c === '\0') break;
        if (!isSpecial(c)) { unread(); break; }
        buf += c;
        const t = tokenOf(buf);
        if (t) last = { tok: t, lit: buf };
        else if (last) { unread(); break; }
      }
      item = last ?? { tok: 'Error', lit: `error expected: keyword found '${buf}'` };
    } else {
      unread();
      let buf = '';
      for (;;) {
        const c = read();
        if (c === '\0') break;
        if (isSpecial(c) || isWhitespace(c)) { unread(); break; }
        buf += c;
      }
      item = { tok: tokenOf(buf) ?? 'Identifier', lit: buf };
    }
    items.push(item);
    if (item.tok === 'EndOfString') return items;
  }
}

type Context = 'KeyAndOperator' | 'Values';

class Parser {
  private position = 0;
  constructor(private readonly items: Item[], private readonly path: FieldPath | null) {}

  private lookahead(ctx: Context): Item {
    return this.asContext(this.items[this.position]!, ctx);
  }

  private consume(ctx: Context): Item {
    return this.asContext(this.items[this.position++]!, ctx);
  }

  /** Where values are expected, `in` and `notin` are plain identifiers. */
  private asContext(it: Item, ctx: Context): Item {
    return ctx === 'Values' && (it.tok === 'In' || it.tok === 'NotIn') ? { tok: 'Identifier', lit: it.lit } : it;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead('Values');
      if (tok === 'EndOfString') return reqs;
      if (tok !== 'Identifier' && tok !== 'DoesNotExist') {
        throw new SelectorParseError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
      try {
        reqs.push(this.parseRequirement());
      } catch (e) {
        throw new SelectorParseError(`unable to parse requirement: ${(e as Error).message}`);
      }
      const next = this.consume('Values');
      if (next.tok === 'EndOfString') return reqs;
      if (next.tok !== 'Comma') throw new SelectorParseError(`found '${next.lit}', expected: ',' or 'end of string'`);
      const after = this.lookahead('Values');
      if (after.tok !== 'Identifier' && after.tok !== 'DoesNotExist') {
        throw new SelectorParseError(`found '${after.lit}', expected: identifier after ','`);
      }
    }
  }

  private parseRequirement(): Requirement {
    let { tok, lit } = this.consume('Values');
    let operator: SelectionOperator | undefined;
    if (tok === 'DoesNotExist') {
      operator = '!';
      ({ tok, lit } = this.consume('Values'));
    }
    if (tok !== 'Identifier') throw new Error(`found '${lit}', expected: identifier`);
    const keyErr = validateLabelKey(lit, this.path);
    if (keyErr) throw new Error(keyErr.message);
    const key = lit;
    const ahead = this.lookahead('Values').tok;
    if ((ahead === 'EndOfString' || ahead === 'Comma') && operator !== '!') operator = 'exists';
    if (operator === 'exists' || operator === '!') return newRequirement(key, operator, [], this.path);

    const op = this.parseOperator();
    const values = op === 'in' || op === 'notin' ? this.parseValues() : this.parseExactValue();
    return newRequirement(key, op, [...values].sort(), this.path);
  }

  private parseOperator(): SelectionOperator {
    const { tok, lit } = this.consume('KeyAndOperator');
    switch (tok) {
      case 'In': return 'in';
      case 'Equals': return '=';
      case 'DoubleEquals': return '==';
      case 'GreaterThan': return 'gt';
      case 'LessThan': return 'lt';
      case 'NotIn': return 'notin';
      case 'NotEquals': return '!=';
      default: throw new Error(`found '${lit}', expected: ${BINARY_OPERATORS.join(', ')}`);
    }
  }

  /** `(a,b,c)`; `()` is the one empty-string value, and so are empty places between commas. */
  private parseValues(): Set<string> {
    const open = this.consume('Values');
    if (open.tok !== 'OpenPar') throw new Error(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead('Values');
    if (tok === 'ClosedPar') {
      this.consume('Values');
      return new Set(['']);
    }
    if (tok !== 'Identifier' && tok !== 'Comma') throw new Error(`found '${lit}', expected: ',', ')' or identifier`);
    const s = this.parseIdentifiersList();
    if (this.consume('Values').tok !== 'ClosedPar') throw new Error(`found '${lit}', expected: ')'`);
    return s;
  }

  private parseIdentifiersList(): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume('Values');
      if (tok === 'Identifier') {
        s.add(lit);
        const next = this.lookahead('Values');
        if (next.tok === 'Comma') continue;
        if (next.tok === 'ClosedPar') return s;
        throw new Error(`found '${next.lit}', expected: ',' or ')'`);
      } else if (tok === 'Comma') {
        if (s.size === 0) s.add('');
        const next = this.lookahead('Values').tok;
        if (next === 'ClosedPar') {
          s.add('');
          return s;
        }
        if (next === 'Comma') s.add('');
      } else {
        throw new Error(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  private parseExactValue(): Set<string> {
    const ahead = this.lookahead('Values').tok;
    if (ahead === 'EndOfString' || ahead === 'Comma') return new Set(['']);
    const { tok, lit } = this.consume('Values');
    if (tok === 'Identifier') return new Set([lit]);
    throw new Error(`found '${lit}', expected: identifier`);
  }
}

/**
 * Parses a label selector string; the empty string selects everything.
 * Throws {@link SelectorParseError} worded as Kubernetes, e.g.
 * `unable to parse requirement: found '', expected: ',' or ')'`.
 */
export function parseLabelSelector(selector: string, path: FieldPath | null = null): LabelSelector {
  return LabelSelector.of(parseLabelRequirements(selector, path));
}

/** The requirements of a selector string, sorted by key (labels.ParseToRequirements). */
export function parseLabelRequirements(selector: string, path: FieldPath | null = null): Requirement[] {
  const reqs = new Parser(lex(selector), path).parse();
  return reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
