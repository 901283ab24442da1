/**
 * A duration in milliseconds as Go's time.Duration prints it ("10s", "1m20s", "5m0s", "512ms",
 * "1.5s"): Kubernetes puts these in messages people read ("back-off 20s restarting failed
 * container", "Successfully pulled image ... in 512ms").
 */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  const negative = ms < 0;
  let rest = Math.abs(Math.trunc(ms));
  let out: string;
  if (rest < 1000) out = `${rest}ms`;
  else {
    const hours = Math.floor(rest / 3_600_000);
    rest -= hours * 3_600_000;
    const minutes = Math.floor(rest / 60_000);
    rest -= minutes * 60_000;
    const seconds = Math.floor(rest / 1000);
    const millis = rest - seconds * 1000;
    const frac = millis ? `.${String(millis).padStart(3, '0').replace(/0+$/, '')}` : '';
    out = `${seconds}${frac}s`;
    if (hours > 0) out = `${hours}h${minutes}m${out}`;
    else if (minutes > 0) out = `${minutes}m${out}`;
  }
  return negative ? `-${out}` : out;
}
