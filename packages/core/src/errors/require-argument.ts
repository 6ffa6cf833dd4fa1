/** The one-line argument check of public helpers: a wrong argument is a ValidationError naming it and its value. */
import { describeValue } from './describe-value.js';
import { ValidationError } from './validation-error.js';

/**
 * Throws unless `ok`: `invalid <fn> arguments: <name>: <name> must be <expected>, got <value>`.
 *
 * @example
 * requireArgument('sleep', 'ms', Number.isFinite(ms) && ms >= 0, 'a number of milliseconds ≥ 0', ms);
 */
export function requireArgument(fn: string, name: string, ok: boolean, expected: string, value: unknown): void {
  if (ok) return;
  throw new ValidationError(`invalid ${fn} arguments`, [
    {
      path: name,
      code: value === undefined ? 'required' : 'type',
      message: `${name} must be ${expected}, got ${describeValue(value)}`,
    },
  ]);
}
