/** Resolves as `promise` does, or rejects once `ms` have passed; the timer never outlives it. */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)));
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
