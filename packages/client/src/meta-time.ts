/**
 * How the API writes times. meta/v1 Time (creationTimestamp, conditions' lastTransitionTime, an
 * Event's lastTimestamp): RFC 3339 to the second. meta/v1 MicroTime (a Lease's renewTime, an
 * events.k8s.io Event's eventTime): RFC 3339 with microseconds.
 */

/** `2024-05-01T10:00:00Z`: Go's RFC3339, what metav1.Time serialises to. */
export function metaTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** `2024-05-01T10:00:00.123000Z`: Go's RFC3339Micro, what a Lease's times look like in kubectl. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
