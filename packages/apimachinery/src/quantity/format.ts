/**
 * Resource amounts printed the way kubectl prints them:
 * `kubectl top` shows CPU as millicores (`250m`) and memory as whole MiB
 * (`128Mi`), and percentages of allocatable (`12%`); `kubectl describe` shows
 * requests, limits and capacity as canonical quantities (`250m`, `1`, `128Mi`).
 */
import { Quantity } from './quantity';

const MI = 1024n * 1024n;

function toBigInt(v: number | bigint): bigint {
  return typeof v === 'bigint' ? v : BigInt(Math.trunc(v));
}

/** `kubectl top`'s CPU column: millicores with an `m` (`fmt.Sprintf("%vm", q.MilliValue())`). */
export function formatTopCpu(milliCores: number | bigint): string {
  return `${toBigInt(milliCores)}m`;
}

/** `kubectl top`'s memory column: whole MiB, truncated (`fmt.Sprintf("%vMi", q.Value()/(1024*1024))`). */
export function formatTopMemory(bytes: number | bigint): string {
  return `${toBigInt(bytes) / MI}Mi`;
}

/**
 * `kubectl top node`'s percentage columns: usage over allocatable, times
 * 100, truncated (`12%`); Kubernetes computes it on millivalues as floats.
 */
export function formatTopPercent(usedMilli: number | bigint, allocatableMilli: number | bigint): string {
  const fraction = (Number(usedMilli) / Number(allocatableMilli)) * 100;
  return `${Number.isFinite(fraction) ? Math.trunc(fraction) : 0}%`;
}

/** A CPU amount in millicores as describe prints it: `250m`, `1`, `1500m`. */
export function formatCpuQuantity(milliCores: number | bigint): string {
  return Quantity.fromMilli(toBigInt(milliCores), 'DecimalSI').toString();
}

/** A memory amount in bytes as describe prints it: `128Mi`, `1Gi`, `1000000` (BinarySI). */
export function formatMemoryQuantity(bytes: number | bigint): string {
  return Quantity.fromValue(toBigInt(bytes), 'BinarySI').toString();
}

/** A quantity string's CPU in millicores, as the scheduler and `top` count it (`0.5` -> 500, `100m` -> 100). */
export function cpuToMilli(q: string | Quantity): number {
  return (typeof q === 'string' ? Quantity.parse(q) : q).milliValue();
}

/** A quantity string's value in base units, rounded up (`128Mi` -> 134217728, `1k` -> 1000). */
export function quantityToValue(q: string | Quantity): number {
  return (typeof q === 'string' ? Quantity.parse(q) : q).value();
}

/**
 * The sum of several quantity strings as one canonical quantity, in the
 * format of the first non-zero term (as Kubernetes adds requests up).
 */
export function sumQuantities(quantities: Iterable<string | Quantity>): Quantity {
  let total = Quantity.fromValue(0);
  for (const q of quantities) total = total.add(typeof q === 'string' ? Quantity.parse(q) : q);
  return total;
}
