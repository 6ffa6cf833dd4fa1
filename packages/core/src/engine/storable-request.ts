/**
 * A durable run stores its request data as JSON: data JSON cannot hold — a BigInt, NaN or Infinity, a lone
 * surrogate, a cycle — is refused when the run is asked for, naming where it is, instead of failing the run once it
 * has started with the serialiser's bare message.
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
