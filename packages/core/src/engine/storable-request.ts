/**
 * A durable run stores its plan and its request data as JSON: a value JSON cannot hold — a BigInt, NaN or Infinity, a
 * lone surrogate, a cycle — in the request or among the plan's literals is refused when the run is asked for, naming
 * where it is, instead of failing the run once it has started with the serialiser's bare message.
 */
import { ValidationError } from '../errors/validation-error.js';
import { unstorableIn } from '../storage/unstorable-value.js';

/**
 * One walk over the data (`unstorableIn`), building no text: the run's store serialises the request itself, so a
 * serialisation here would be work done twice for every run.
 *
 * @throws ValidationError naming the first value of `request` that JSON cannot store.
 */
export function checkStorableRequest(request: unknown): void {
  const found = unstorableIn(request);
  if (found === undefined) return;
  const path = `request${found.place}`;
  throw new ValidationError('request data cannot be stored as JSON', [
    { path, message: found.message, code: 'not-json' },
  ]);
}

/** Plans found storable: a plan compiled once and run many times is walked once. */
const storablePlans = new WeakSet<object>();

/**
 * @throws ValidationError naming the first value among the plan's literals (a step's input, the output) that JSON
 * cannot store.
 */
export function checkStorablePlan(source: object): void {
  if (storablePlans.has(source)) return;
  const found = unstorableIn(source);
  if (found !== undefined) {
    throw new ValidationError('invalid plan: it cannot be stored as JSON', [
      { path: `plan${found.place}`, message: found.message, code: 'not-json' },
    ]);
  }
  storablePlans.add(source);
}
