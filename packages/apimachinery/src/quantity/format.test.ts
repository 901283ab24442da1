import { describe, expect, it } from 'vitest';
import {
  cpuToMilli,
  formatCpuQuantity,
  formatMemoryQuantity,
  formatTopCpu,
  formatTopMemory,
  formatTopPercent,
  quantityToValue,
  sumQuantities,
} from './format';
import { Quantity } from './quantity';

describe('kubectl top columns', () => {
  it.each([
    [250, '250m'],
    [0, '0m'],
    [1500, '1500m'],
    [12n, '12m'],
  ])('CPU %s millicores prints %s', (milli, want) => {
    expect(formatTopCpu(milli)).toBe(want);
  });

  it.each([
    [134217728, '128Mi'],
    [200_000_000, '190Mi'], // whole MiB, truncated
    [1048575, '0Mi'],
    [8n * 1024n ** 3n, '8192Mi'],
  ])('memory %s bytes prints %s', (bytes, want) => {
    expect(formatTopMemory(bytes)).toBe(want);
  });

  it.each([
    [250, 2000, '12%'],
    [1999, 2000, '99%'],
    [3000, 2000, '150%'],
    [1, 0, '0%'],
  ])('%d of %d is %s', (used, total, want) => {
    expect(formatTopPercent(used, total)).toBe(want);
  });
});

describe('describe-style quantities', () => {
  it.each([
    [250, '250m'],
    [1000, '1'],
    [1500, '1500m'],
    [2000, '2'],
  ])('CPU %d millicores prints %s', (milli, want) => {
    expect(formatCpuQuantity(milli)).toBe(want);
  });

  it.each([
    [134217728, '128Mi'],
    [1073741824, '1Gi'],
    [1000000, '1000000'],
    [512, '512'],
  ])('memory %d bytes prints %s', (bytes, want) => {
    expect(formatMemoryQuantity(bytes)).toBe(want);
  });
});

describe('reading quantities', () => {
  it.each([
    ['0.5', 500],
    ['100m', 100],
    ['2', 2000],
    ['1.5', 1500],
  ])('%s CPU is %d millicores', (q, milli) => {
    expect(cpuToMilli(q)).toBe(milli);
  });

  it.each([
    ['128Mi', 134217728],
    ['1k', 1000],
    ['1Ki', 1024],
    ['1.5', 2],
  ])('%s is %d base units', (q, value) => {
    expect(quantityToValue(q)).toBe(value);
  });

  it('sums requests in the format of the first term', () => {
    expect(sumQuantities(['100m', '0.5', '1']).toString()).toBe('1600m');
    expect(sumQuantities(['64Mi', Quantity.parse('64Mi')]).toString()).toBe('128Mi');
    expect(sumQuantities([]).toString()).toBe('0');
  });
});
