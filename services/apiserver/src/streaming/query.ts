import { Errors } from '../errors';

/**
 * A boolean query parameter as Kubernetes' parameter codec reads it
 * (runtime.Convert_Slice_string_To_bool): absent is false, and so are "false" (any case) and
 * "0"; any other value, the empty one included (`?follow`), is true.
 */
export function queryBool(q: URLSearchParams, name: string): boolean {
  const value = q.get(name);
  if (value === null) return false;
  return value !== '0' && value.toLowerCase() !== 'false';
}

/** An integer query parameter (strconv.ParseInt): a malformed value is a 400 with Go's wording. */
export function queryInt(q: URLSearchParams, name: string): number | undefined {
  const value = q.get(name);
  if (value === null || value === '') return undefined;
  if (!/^[+-]?\d+$/.test(value)) throw Errors.badRequest(`strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`);
  return Number(value);
}

/** A Go url.Values.Encode(): keys sorted, values in order (how Kubernetes spells a kubelet URL in its errors). */
export function encodeQuery(values: Array<[string, string]>): string {
  const sorted = [...values].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return sorted.map(([key, value]) => `${goQueryEscape(key)}=${goQueryEscape(value)}`).join('&');
}

function goQueryEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/%20/g, '+')
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
