import type { ServerResponse } from 'node:http';

/**
 * Adds warnings to the response as Kubernetes sends them: one `Warning: 299 - "<text>"` header
 * each (RFC 7234), after any already set; kubectl prints each as `Warning: <text>`.
 */
export function addWarnings(res: ServerResponse, warnings: readonly string[]): void {
  if (warnings.length === 0 || res.headersSent) return;
  const previous = res.getHeader('Warning');
  const kept = previous === undefined ? [] : Array.isArray(previous) ? previous : [String(previous)];
  res.setHeader('Warning', [...kept, ...warnings.map((warning) => `299 - ${JSON.stringify(warning)}`)]);
}
