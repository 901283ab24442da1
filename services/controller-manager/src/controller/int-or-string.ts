/** intstr.IntOrString: a count, or a percentage of some total ("25%"). */
export type IntOrString = number | string;

/**
 * intstr.GetScaledValueFromIntOrPercent: a number as is, "N%" as N% of `total` rounded up or
 * down, nothing as 0. Anything else is refused (validation keeps it out of the API).
 */
export function scaledValueFromIntOrPercent(value: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return value;
  const match = /^(-?\d+)%$/.exec(value);
  if (!match) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const scaled = (Number(match[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}
