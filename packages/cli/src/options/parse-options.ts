/**
 * Parsers for option values and arguments, used as commander's argument parsers: a bad value is a `UsageError`
 * naming the option. Light on purpose: `baton --help` loads this and nothing heavier.
 */
import { UsageError } from '../usage-error.js';

/** A number in (0, 1], e.g. a similarity threshold or a target precision. */
export function unitInterval(option: string) {
  return (value: string): number => {
    const number = Number(value);
    if (value.trim() === '' || !Number.isFinite(number) || number <= 0 || number > 1) {
      throw new UsageError(`${option} must be a number in (0, 1], got "${value}"`);
    }
    return number;
  };
}

/** A prompt argument: refuses an empty or blank one, naming the argument. */
export function nonEmptyText(argument: string) {
  return (value: string): string => {
    if (value.trim() === '')
      throw new UsageError(`${argument} must be a non-empty prompt, got ${JSON.stringify(value)}`);
    return value;
  };
}

/** A TCP port: an integer in [0, 65535] (0 picks a free one). */
export function port(option: string) {
  return (value: string): number => {
    const number = Number(value);
    if (value.trim() === '' || !Number.isInteger(number) || number < 0 || number > 65535) {
      throw new UsageError(`${option} must be a port number from 0 to 65535, got "${value}"`);
    }
    return number;
  };
}
