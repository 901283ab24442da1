/**
 * What one probe attempt says (pkg/probe.Result with its output): success; warning (a success
 * worth an event, such as a redirect the prober did not follow); failure, whose output is the
 * message of the Unhealthy event; unknown, for a probe that could not run. `error` marks an
 * attempt that errored rather than failed: the prober retries it and then throws its result away.
 */
export type ProbeStatus = 'success' | 'warning' | 'failure' | 'unknown';

export interface ProbeOutcome {
  result: ProbeStatus;
  output: string;
  error?: Error;
  /** An httpGet's answer, when one came (a lifecycle hook needs nothing more). */
  statusCode?: number;
}

/** Most output a probe keeps: probes read at most 10 KiB of a body or a command's output. */
export const MAX_PROBE_OUTPUT_BYTES = 10 * 1024;

export function truncateOutput(data: Buffer | string): string {
  const buffer = typeof data === 'string' ? Buffer.from(data) : data;
  return buffer.subarray(0, MAX_PROBE_OUTPUT_BYTES).toString('utf8');
}
