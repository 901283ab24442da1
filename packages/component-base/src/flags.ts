import { InvalidArgumentError } from 'commander';
import { parseDuration } from './duration';

/** Parsers for commander options, with the message a person needs when a value is wrong. */

/** A TCP port, 0 meaning "any free port". */
export function portFlag(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`"${value}" is not a port number`);
  return n;
}

/** A whole number of at least 1. */
export function countFlag(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${value}" is not a positive whole number`);
  return n;
}

/** A whole number of seconds, 0 allowed. */
export function secondsFlag(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`"${value}" is not a whole number of seconds`);
  return n;
}

/** A Go-style duration ("40s", "500ms") in milliseconds. */
export function durationFlag(value: string): number {
  try {
    return parseDuration(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}
