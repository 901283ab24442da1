import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors';
import { parseApplyConfiguration } from './apply';

const parse = (text: string) => parseApplyConfiguration(Buffer.from(text));
const refusal = (text: string) => {
  try {
    parse(text);
  } catch (error) {
    return error instanceof ApiError ? `${error.status.code} ${error.status.message}` : String(error);
  }
  return 'accepted';
};

describe('apply configurations (YAML or JSON)', () => {
  it('reads JSON, YAML, and YAML ending in an empty document (as helm writes it)', () => {
    expect(parse('{"kind":"ConfigMap"}')).toEqual({ kind: 'ConfigMap' });
    expect(parse('kind: ConfigMap\ndata:\n  a: "1"\n')).toEqual({ kind: 'ConfigMap', data: { a: '1' } });
    expect(parse('kind: ConfigMap\n---\n')).toEqual({ kind: 'ConfigMap' });
  });

  it('refuses two documents, aliases (a few bytes could stand for a billion fields), bad YAML and an empty body', () => {
    expect(refusal('kind: A\n---\nkind: B\n')).toBe('400 error decoding YAML: an apply configuration is one document');
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [*${'abcdefghi'[i]},*${'abcdefghi'[i]},*${'abcdefghi'[i]},*${'abcdefghi'[i]},*${'abcdefghi'[i]},*${'abcdefghi'[i]},*${'abcdefghi'[i]},*${'abcdefghi'[i]},*${'abcdefghi'[i]}]`)].join('\n');
    expect(refusal(bomb)).toBe('400 error decoding YAML: aliases are not allowed in an apply configuration');
    expect(refusal('a: [1, 2\n')).toMatch(/^400 error decoding YAML: /);
    expect(refusal('')).toBe('400 the apply configuration is empty');
  });
});
