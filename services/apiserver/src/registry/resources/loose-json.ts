/**
 * Reading a request body's fields as Go's decoder would leave them: an absent or null field is the
 * zero value ("" for a string, 0 for a number, no items for a list, a nil pointer for an object).
 * The validators read pod specs through these, so an odd body never throws.
 */

export type JsonRecord = Record<string, unknown>;

/** Whether a pointer field is set (Go's != nil): present and not null. */
export function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** An object field, or undefined when absent, null or not an object. */
export function record(value: unknown): JsonRecord | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonRecord) : undefined;
}

/** A list field; [] when absent, null or not a list. */
export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A list of objects; an item that is not an object reads as {}. */
export function records(value: unknown): JsonRecord[] {
  return list(value).map((item) => record(item) ?? {});
}

/** A string field: "" when absent or null. */
export function text(value: unknown): string {
  if (typeof value === 'string') return value;
  return value === undefined || value === null ? '' : String(value);
}

/** A number field: 0 when absent, null or not a number. */
export function int(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

/** A string map (labels, nodeSelector): its entries, values read as text. */
export function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(record(value) ?? {})) out[k] = text(v);
  return out;
}

/** Go's sets.List order: byte-wise ascending. */
export function sortedList(values: Iterable<string>): string[] {
  return [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
