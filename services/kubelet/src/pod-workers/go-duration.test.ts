import { describe, expect, it } from 'vitest';
import { goDuration } from './go-duration';

describe('goDuration', () => {
  it.each([
    [0, '0s'],
    [512, '512ms'],
    [1_000, '1s'],
    [1_500, '1.5s'],
    [10_000, '10s'],
    [80_000, '1m20s'],
    [300_000, '5m0s'],
    [3_600_000, '1h0m0s'],
    [3_723_004, '1h2m3.004s'],
    [-2_000, '-2s'],
  ])('%d ms -> %s', (ms, text) => {
    expect(goDuration(ms)).toBe(text);
  });
});
