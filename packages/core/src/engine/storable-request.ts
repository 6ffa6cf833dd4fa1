/**
 * A durable run stores its request data as JSON: data JSON cannot hold — a BigInt, NaN or Infinity, a lone
 * surrogate, a cycle — is refused when the run is asked for, naming where it is, instead of failing the run once it
 * has started with the serialiser's bare message.
 */
import { ValidationError } from '../errors/validation-error.js';

interface Unstorable {
  /** Where, from the value's root: `.key` and `[index]` parts, outermost first. */
  place: string[];
  message: string;
}

/**
 * One walk over the data, building no text: the run's store serialises the request itself, so a serialisation here
 * would be work done twice for every run.
 *
 * @throws ValidationError naming the first value of `request` that JSON cannot store.
 */
export function checkStorableRequest(request: unknown): void {
  const found = firstUnstorable(request, new Set());
  if (found === undefined) return;
  const path = `request${found.place.join('')}`;
  throw new ValidationError('request data cannot be stored as JSON', [
    { path, message: found.message, code: 'not-json' },
  ]);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATE_MESSAGE = 'holds a lone surrogate (half of a UTF-16 pair), which JSON text cannot carry';

function firstUnstorable(value: unknown, seen: Set<object>): Unstorable | undefined {
  if (typeof value === 'bigint') {
    return {
      place: [],
      message: `a BigInt (${String(value).slice(0, 40)}n) cannot be stored as JSON; send it as a string`,
    };
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return { place: [], message: `${value} cannot be stored as JSON; send a finite number, or null` };
  }
  if (typeof value === 'string') {
    return LONE_SURROGATE.test(value) ? { place: [], message: LONE_SURROGATE_MESSAGE } : undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if (seen.has(value)) return { place: [], message: 'refers back to an object that holds it (a cycle)' };
  seen.add(value);
  // The place is written only on the way back from a find: a large request costs no string per value.
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = firstUnstorable(value[index], seen);
      if (found !== undefined) return { ...found, place: [`[${index}]`, ...found.place] };
    }
  } else {
    for (const key of Object.keys(value)) {
      if (LONE_SURROGATE.test(key)) return { place: [`.${key}`], message: `its key ${LONE_SURROGATE_MESSAGE}` };
      const found = firstUnstorable((value as Record<string, unknown>)[key], seen);
      if (found !== undefined) return { ...found, place: [`.${key}`, ...found.place] };
    }
  }
  seen.delete(value);
  return undefined;
}
