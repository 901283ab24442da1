import { describe, expect, it } from 'vitest';
import { computeHash, equalIgnoreHash, fnv32a, safeEncodeString } from './pod-template-hash';

const template = (image: string) => ({ metadata: { labels: { app: 'web', tier: 'front' } }, spec: { containers: [{ name: 'web', image }], restartPolicy: 'Always' } });

describe('fnv32a', () => {
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ])('FNV-1a 32 of %j', (text, want) => {
    expect(fnv32a(0x811c9dc5, Buffer.from(text))).toBe(want);
  });
});

describe('safeEncodeString', () => {
  it('maps each character by its code into the alphabet without vowels and look-alikes', () => {
    expect(safeEncodeString('0123456789')).toBe('456789bcdf');
  });
});

describe('computeHash', () => {
  it('is stable, of the alphabet, as long as the decimal hash', () => {
    const hash = computeHash(template('nginx:1.24'));
    expect(hash).toBe(computeHash(structuredClone(template('nginx:1.24'))));
    expect(hash).toMatch(/^[456789bcdf]{1,10}$/);
  });

  it('depends on the template, not on the order of its keys or empty values', () => {
    const a = template('nginx:1.24');
    const reordered = { spec: { restartPolicy: 'Always', containers: [{ image: 'nginx:1.24', name: 'web', env: [] }] }, metadata: { annotations: {}, labels: { tier: 'front', app: 'web' } } };
    expect(computeHash(reordered)).toBe(computeHash(a));
    expect(computeHash(template('nginx:1.25'))).not.toBe(computeHash(a));
  });

  it('a collision count gives another hash (and 0 is not the same as none)', () => {
    const a = template('nginx:1.24');
    expect(computeHash(a, 0)).not.toBe(computeHash(a));
    expect(computeHash(a, 1)).not.toBe(computeHash(a, 0));
  });
});

describe('equalIgnoreHash', () => {
  it('ignores the pod-template-hash label only', () => {
    const withHash = { ...template('nginx:1.24'), metadata: { labels: { app: 'web', tier: 'front', 'pod-template-hash': '5d4f8c7b9' } } };
    expect(equalIgnoreHash(withHash, template('nginx:1.24'))).toBe(true);
    expect(equalIgnoreHash(withHash, template('nginx:1.25'))).toBe(false);
    expect(withHash.metadata.labels['pod-template-hash']).toBe('5d4f8c7b9');
  });
});
